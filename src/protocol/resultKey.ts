import { bytesToHex, concatBytes, type Hex, hexToBytes, numberToBytes } from 'viem'
import type { WrappedKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'

/**
 * The result key: the enclave encrypts an order's result (chunked AES-256-GCM; the output blob is
 * that ciphertext) under a fresh key, and seals the key with HPKE to the customer's result public
 * key. The sealed key is part of the receipt and revealed on-chain with it, so the customer can
 * read the result exactly when the provider is paid.
 */
export const resultKeyInfo = 'BOCC/result-key/v2'

/** The result key is bound to the order and to the output it opens. */
export function resultKeyAad(orderId: bigint, outputHash: Hex): Uint8Array {
  return concatBytes([numberToBytes(orderId, { size: 32 }), hexToBytes(outputHash)])
}

export class MalformedResultKeyError extends BoccError {
  override name = 'MalformedResultKeyError'
}

/** The sealed key as the receipt carries it: the 32-byte encapsulated key, then the ciphertext. */
export function encodeWrappedResultKey(wrapped: WrappedKey): Hex {
  const enc = hexToBytes(wrapped.enc)
  if (enc.length !== 32) throw new MalformedResultKeyError('the encapsulated key must be 32 bytes')
  return bytesToHex(concatBytes([enc, hexToBytes(wrapped.ciphertext)]))
}

export function decodeWrappedResultKey(encoded: Hex): WrappedKey {
  const bytes = hexToBytes(encoded)
  // 32 bytes of encapsulated key, then a 32-byte key and its 16-byte tag.
  if (bytes.length !== 80) throw new MalformedResultKeyError('the sealed result key is malformed')
  return { enc: bytesToHex(bytes.subarray(0, 32)), ciphertext: bytesToHex(bytes.subarray(32)) }
}
