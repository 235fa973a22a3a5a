import { type Hex, hexToBytes } from 'viem'
import { decryptObject } from '../crypto/chunkedAead.ts'
import { type HpkeKeyPair, unwrapKey } from '../crypto/hpke.ts'
import { sha256Of } from '../crypto/sha256.ts'
import { BoccError } from '../errors.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import { decodeWrappedResultKey, resultKeyAad, resultKeyInfo } from '../protocol/resultKey.ts'
import { decodeResultOutputs } from '../protocol/resultOutputs.ts'
import { readAll } from '../storage/blobHash.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { countingStream, type ProgressListener } from './progress.ts'
import type { OrderRecord } from './readOrder.ts'

export type OcrResult = { kind: 'ocr'; version: 1; lines: { text: string; confidence: number }[] }

export type FetchedResult = { output: Uint8Array; result: OcrResult }

export class ResultUnreadableError extends BoccError {
  override name = 'ResultUnreadableError'
}

export type FetchedOutputs = {
  /** The output blob (ciphertext) as the receipt names it. */
  output: Uint8Array
  /** The job's named outputs (the solution manifest's `outputs`), decrypted, exactly as produced. */
  outputs: Record<string, Uint8Array>
}

/**
 * Gets a completed order's output (from the blob store, or from the chain where a challenge made
 * the provider publish it), checks it against the receipt's hash, and opens it with the result key
 * the receipt revealed.
 */
export async function fetchOutputs(parameters: {
  order: OrderRecord
  blobs: BlobStore
  resultKey: HpkeKeyPair
  onProgress?: ProgressListener
}): Promise<FetchedOutputs> {
  const { order } = parameters
  if (!order.completion)
    throw new ResultUnreadableError(
      `order ${formatOrderId(order.orderId)} is ${order.status}, not completed`,
    )
  const { outputHash, wrappedResultKey } = order.completion
  const output = order.publishedOutput
    ? hexToBytes(order.publishedOutput)
    : await download(parameters.blobs, outputHash, parameters.onProgress)
  parameters.onProgress?.({ stage: 'decrypting' })
  if (sha256Of(output) !== outputHash.toLowerCase())
    throw new ResultUnreadableError('the output does not match the receipt’s outputHash')
  const key = await unwrapKey({
    recipientPrivateKey: parameters.resultKey.privateKey,
    wrapped: decodeWrappedResultKey(wrappedResultKey),
    info: resultKeyInfo,
    aad: resultKeyAad(order.orderId, outputHash),
  })
  let plaintext: Uint8Array
  try {
    plaintext = await decryptObject(key, output)
  } finally {
    key.fill(0)
  }
  return {
    output,
    outputs: Object.fromEntries(
      decodeResultOutputs(plaintext).map((item) => [item.name, item.bytes]),
    ),
  }
}

/** {@link fetchOutputs} for an OCR order: its one output is the recognised text. */
export async function fetchResult(parameters: {
  order: OrderRecord
  blobs: BlobStore
  resultKey: HpkeKeyPair
}): Promise<FetchedResult> {
  const { output, outputs } = await fetchOutputs(parameters)
  const [text] = Object.values(outputs)
  let result: OcrResult
  try {
    result = JSON.parse(new TextDecoder().decode(text))
  } catch {
    throw new ResultUnreadableError('the decrypted result is not JSON')
  }
  if (result?.kind !== 'ocr' || !Array.isArray(result.lines))
    throw new ResultUnreadableError('the result is not an OCR result')
  return { output, result }
}

/** A blob, with download progress when someone listens (the store checks it against its hash). */
async function download(blobs: BlobStore, hash: Hex, onProgress?: ProgressListener) {
  if (!onProgress) return blobs.get(hash)
  const totalBytes = await blobs.size(hash)
  onProgress({ stage: 'downloading', bytes: 0, totalBytes })
  const counting = countingStream((bytes) =>
    onProgress({ stage: 'downloading', bytes, totalBytes }),
  )
  return readAll((await blobs.getStream(hash)).pipeThrough(counting))
}
