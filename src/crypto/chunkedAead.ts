import { concatBytes } from 'viem'
import { BoccError } from '../errors.ts'

/**
 * Chunked AES-256-GCM (the STREAM construction): the object is cut into fixed-size chunks, each
 * sealed under the object's own key with a nonce made of the chunk index and a final-chunk flag,
 * and the header as associated data. Reordered, dropped, truncated or extended chunks and a
 * changed header all fail authentication. A key must seal exactly one object: use
 * {@link encryptObject}, which makes a fresh key each time.
 */

const magic = new Uint8Array([0x42, 0x43, 0x41, 0x31]) // "BCA1"
const headerLength = magic.length + 4
const tagLength = 16
export const defaultChunkSize = 1 << 20
const maxChunkSize = 1 << 24

export class CiphertextCorruptedError extends BoccError {
  override name = 'CiphertextCorruptedError'
  constructor(reason: string) {
    super(`ciphertext is corrupted or was tampered with: ${reason}`)
  }
}

export type EncryptedObject = {
  /** The 32-byte AES-256 key of this object; it seals nothing else. */
  key: Uint8Array
  ciphertext: Uint8Array
}

/** Encrypts `plaintext` under a fresh random key. */
export async function encryptObject(
  plaintext: Uint8Array,
  options: { chunkSize?: number } = {},
): Promise<EncryptedObject> {
  const key = crypto.getRandomValues(new Uint8Array(32))
  return {
    key,
    ciphertext: await sealChunks(key, plaintext, options.chunkSize ?? defaultChunkSize),
  }
}

async function sealChunks(key: Uint8Array, plaintext: Uint8Array, chunkSize: number) {
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > maxChunkSize)
    throw new BoccError(`chunk size must be an integer from 1 to ${maxChunkSize}`)
  const header = new Uint8Array(headerLength)
  header.set(magic)
  new DataView(header.buffer).setUint32(magic.length, chunkSize)
  const aesKey = await importKey(key, 'encrypt')
  const chunkCount = Math.max(1, Math.ceil(plaintext.length / chunkSize))
  const parts: Uint8Array[] = [header]
  for (let index = 0; index < chunkCount; index++) {
    const chunk = plaintext.subarray(index * chunkSize, (index + 1) * chunkSize)
    const sealed = await crypto.subtle.encrypt(
      gcmParameters(index, index === chunkCount - 1, header),
      aesKey,
      chunk as Uint8Array<ArrayBuffer>,
    )
    parts.push(new Uint8Array(sealed))
  }
  return concatBytes(parts)
}

/** Decrypts an object sealed by {@link encryptObject}; throws {@link CiphertextCorruptedError}. */
export async function decryptObject(key: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
  if (ciphertext.length < headerLength + tagLength) throw new CiphertextCorruptedError('too short')
  const header = ciphertext.subarray(0, headerLength)
  if (!magic.every((byte, i) => header[i] === byte))
    throw new CiphertextCorruptedError('not a BOCC encrypted object')
  const chunkSize = new DataView(header.buffer, header.byteOffset).getUint32(magic.length)
  if (chunkSize < 1 || chunkSize > maxChunkSize)
    throw new CiphertextCorruptedError('invalid chunk size')
  const aesKey = await importKey(key, 'decrypt')
  const sealedChunkSize = chunkSize + tagLength
  const body = ciphertext.subarray(headerLength)
  const chunkCount = Math.max(1, Math.ceil(body.length / sealedChunkSize))
  const parts: Uint8Array[] = []
  for (let index = 0; index < chunkCount; index++) {
    const sealed = body.subarray(index * sealedChunkSize, (index + 1) * sealedChunkSize)
    if (sealed.length < tagLength) throw new CiphertextCorruptedError(`chunk ${index} is truncated`)
    try {
      const opened = await crypto.subtle.decrypt(
        gcmParameters(index, index === chunkCount - 1, header),
        aesKey,
        sealed as Uint8Array<ArrayBuffer>,
      )
      parts.push(new Uint8Array(opened))
    } catch {
      throw new CiphertextCorruptedError(
        index === chunkCount - 1
          ? `final chunk ${index} failed authentication (truncated, reordered or altered)`
          : `chunk ${index} failed authentication (reordered or altered)`,
      )
    }
  }
  return concatBytes(parts)
}

function gcmParameters(index: number, final: boolean, header: Uint8Array): AesGcmParams {
  // 96-bit nonce: 88-bit big-endian chunk index, then the final-chunk flag.
  const iv = new Uint8Array(12)
  const view = new DataView(iv.buffer)
  view.setUint32(3, Math.floor(index / 2 ** 32))
  view.setUint32(7, index >>> 0)
  iv[11] = final ? 1 : 0
  return {
    name: 'AES-GCM',
    iv,
    additionalData: header as Uint8Array<ArrayBuffer>,
    tagLength: tagLength * 8,
  }
}

function importKey(key: Uint8Array, usage: 'encrypt' | 'decrypt') {
  if (key.length !== 32) throw new BoccError('an object key must be 32 bytes')
  return crypto.subtle.importKey('raw', key.slice(), 'AES-GCM', false, [usage])
}
