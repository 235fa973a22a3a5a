import type { Hex } from 'viem'
import { decodeSolutionDescriptor } from '../protocol/solutionBundle.ts'
import type { BlobStore } from '../storage/blobStore.ts'

/** A solution's name, and where it was read. */
export type SolutionName = {
  name: string | null
  /**
   * `manifest`: the bundle's manifest, read from its descriptor, the blob stored under the
   * solution hash (checked against it); `null`: no name could be read (no descriptor stored).
   */
  nameSource: 'manifest' | null
}

/** The name of the solution with this hash, as far as it can be known. */
export async function nameOfSolution(blobs: BlobStore, solutionHash: Hex): Promise<SolutionName> {
  const manifest = await readSolutionManifest(blobs, solutionHash)
  return manifest
    ? { name: manifest.name, nameSource: 'manifest' }
    : { name: null, nameSource: null }
}

/** The manifest of a published solution (its descriptor blob), or undefined if none can be read. */
export async function readSolutionManifest(blobs: BlobStore, solutionHash: Hex) {
  try {
    return decodeSolutionDescriptor(await blobs.get(solutionHash)).manifest
  } catch {
    return undefined
  }
}
