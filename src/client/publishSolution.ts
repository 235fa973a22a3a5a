import type { Hex } from 'viem'
import { createSolutionOffer } from '../chain/actions/catalog/createSolutionOffer.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { publishSolutionBundle, unpackSolutionBundle } from '../protocol/solutionBundle.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { ProgressListener } from './progress.ts'

export type PublishedSolution = {
  offerId: number
  /** SHA-256 of the bundle's descriptor: what orders and receipts name. */
  solutionHash: Hex
  /** SHA-256 of the pack: where providers fetch the bundle. */
  bundleHash: Hex
  name: string
  version: string
}

/**
 * Publishes a solution bundle (a pack made by `bocc solutions pack`) and offers it: checks the
 * pack (its manifest, paths and hash), stores its descriptor (so anyone reads the manifest and
 * limits from the solution hash) and the pack in the blob store, and creates the solution offer.
 */
export async function publishSolution(
  signer: BoccSigner,
  parameters: { blobs: BlobStore; pack: Uint8Array; price: bigint; onProgress?: ProgressListener },
): Promise<PublishedSolution> {
  const bundle = unpackSolutionBundle(parameters.pack)
  parameters.onProgress?.({
    stage: 'uploading',
    name: bundle.manifest.name,
    bytes: 0,
    totalBytes: parameters.pack.length,
  })
  const { solutionHash, bundleHash } = await publishSolutionBundle(
    parameters.blobs,
    bundle,
    parameters.pack,
  )
  parameters.onProgress?.({ stage: 'transacting', what: 'creating the solution offer' })
  const { offerId } = await createSolutionOffer(signer, {
    solutionHash,
    price: parameters.price,
    bundleHash,
  })
  return {
    offerId,
    solutionHash,
    bundleHash,
    name: bundle.manifest.name,
    version: bundle.manifest.version,
  }
}
