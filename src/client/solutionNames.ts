import type { Hex } from 'viem'
import { loadOcrBundle } from '../enclave/solutions/ocr/ocrBundle.ts'
import type { BlobStore } from '../storage/blobStore.ts'

/** A solution's name, and where it was read. */
export type SolutionName = {
  name: string | null
  /**
   * `built-in`: the solution the enclave runtime of this checkout ships (PaddleOCR v4), whose
   * hash this client recomputes from the same files; `null`: no name could be read. Solution
   * bundles with a manifest (docs/protocol.md) add `manifest`, read from the descriptor blob
   * stored under the solution hash: this module is the one place that changes.
   */
  nameSource: 'built-in' | null
}

let builtIn: Hex | undefined

/** The name of the solution with this hash, as far as it can be known. */
export async function nameOfSolution(_blobs: BlobStore, solutionHash: Hex): Promise<SolutionName> {
  builtIn ??= loadOcrBundle().solutionHash
  if (solutionHash.toLowerCase() === builtIn.toLowerCase())
    return { name: 'PaddleOCR v4', nameSource: 'built-in' }
  return { name: null, nameSource: null }
}
