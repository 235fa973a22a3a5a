import { BoundedCache } from '../boundedCache.ts'
import { asBufferSource, concatBytes } from '../bytes.ts'

const rawKeys = new BoundedCache<string, Promise<CryptoKey>>(256)

/** An uncompressed P-256 public key (x ‖ y, 64 bytes) as a WebCrypto key. */
export function importP256PublicKey(xy: Uint8Array): Promise<CryptoKey> {
  const cacheKey = Array.from(xy, (byte) => byte.toString(16).padStart(2, '0')).join('')
  let key = rawKeys.get(cacheKey)
  if (!key) {
    key = globalThis.crypto.subtle.importKey(
      'raw',
      asBufferSource(concatBytes(Uint8Array.of(4), xy)),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    )
    rawKeys.set(cacheKey, key)
  }
  return key
}

/**
 * Whether `signature` (r ‖ s, IEEE P1363) is a valid ECDSA signature by `key` over `data`, with
 * the hash that goes with the curve (SHA-256 for P-256, SHA-384 for P-384). Never throws: a key
 * that cannot be imported or a signature of the wrong size is simply not valid.
 */
export async function isValidEcdsaSignature(
  key: CryptoKey | Promise<CryptoKey>,
  signature: Uint8Array,
  data: Uint8Array,
  hash: 'SHA-256' | 'SHA-384' | 'SHA-512',
): Promise<boolean> {
  try {
    return await globalThis.crypto.subtle.verify(
      { name: 'ECDSA', hash },
      await key,
      asBufferSource(signature),
      asBufferSource(data),
    )
  } catch {
    return false
  }
}
