import { decodeNamedBlobs, encodeNamedBlobs, type NamedBlob } from './namedBlobs.ts'

/**
 * What a job produced, before it is encrypted to the customer: its named outputs (the solution
 * manifest's `outputs`) as named blobs with magic "BOCCOUT1".
 */
const outputsMagic = 'BOCCOUT1'

export function encodeResultOutputs(outputs: NamedBlob[]): Uint8Array {
  return encodeNamedBlobs(outputsMagic, outputs)
}

export function decodeResultOutputs(bytes: Uint8Array): NamedBlob[] {
  return decodeNamedBlobs(outputsMagic, bytes, 'the result', {
    maxEntries: 16,
    maxBytes: Number.MAX_SAFE_INTEGER,
  })
}
