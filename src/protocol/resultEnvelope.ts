import { concatBytes, type Hex, isHex } from 'viem'
import type { WrappedKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'

/**
 * The output blob: the result's key sealed to the customer's result key, then the result
 * encrypted with chunked AES-256-GCM. Layout: magic "BOCCRES1", u32 header length, header JSON
 * `{ version: 1, wrappedResultKey }`, ciphertext.
 */
const magic = new TextEncoder().encode('BOCCRES1')

export type ResultEnvelope = { wrappedResultKey: WrappedKey; ciphertext: Uint8Array }

export class MalformedResultError extends BoccError {
  override name = 'MalformedResultError'
}

export function encodeResultEnvelope(envelope: ResultEnvelope): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ version: 1, wrappedResultKey: envelope.wrappedResultKey }),
  )
  const length = new Uint8Array(4)
  new DataView(length.buffer).setUint32(0, header.length)
  return concatBytes([magic, length, header, envelope.ciphertext])
}

export function decodeResultEnvelope(bytes: Uint8Array): ResultEnvelope {
  if (bytes.length < magic.length + 4 || !magic.every((byte, i) => bytes[i] === byte))
    throw new MalformedResultError('the output is not a BOCC result')
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(magic.length)
  const headerEnd = magic.length + 4 + headerLength
  if (headerEnd > bytes.length) throw new MalformedResultError('the result header is truncated')
  let header: { version?: number; wrappedResultKey?: { enc?: Hex; ciphertext?: Hex } }
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(magic.length + 4, headerEnd)))
  } catch {
    throw new MalformedResultError('the result header is not JSON')
  }
  const wrapped = header.wrappedResultKey
  if (header.version !== 1 || !isHex(wrapped?.enc) || !isHex(wrapped?.ciphertext))
    throw new MalformedResultError('the result header is malformed')
  return {
    wrappedResultKey: { enc: wrapped.enc, ciphertext: wrapped.ciphertext },
    ciphertext: bytes.subarray(headerEnd),
  }
}
