import type { Address } from 'viem'
import type { OrderStatusName } from '../chain/orderStatus.ts'

/**
 * What a long operation of the SDK is doing now, for progress a person can see. Listeners get
 * every stage as it starts, and transfers as their bytes move.
 */
export type ProgressEvent =
  | { stage: 'choosing-offer' }
  | { stage: 'verifying-enclave'; enclave: Address }
  | { stage: 'uploading'; name: string; bytes: number; totalBytes: number }
  | { stage: 'escrowing' }
  | { stage: 'transacting'; what: string }
  | { stage: 'waiting'; status: OrderStatusName }
  | { stage: 'downloading'; bytes: number; totalBytes: number }
  | { stage: 'decrypting' }

export type ProgressListener = (event: ProgressEvent) => void

/** A pass-through stream that reports how many bytes went through it so far. */
export function countingStream(
  onBytes: (bytes: number) => void,
): TransformStream<Uint8Array, Uint8Array> {
  let bytes = 0
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.length
      onBytes(bytes)
      controller.enqueue(chunk)
    },
  })
}
