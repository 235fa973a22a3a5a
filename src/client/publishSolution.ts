import type { Hex } from 'viem'
import { createSolutionOffer } from '../chain/actions/catalog/createSolutionOffer.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { encryptObject } from '../crypto/chunkedAead.ts'
import { publishSolutionBundle, unpackSolutionBundle } from '../protocol/solutionBundle.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { ContentKeyStore } from './contentKeyStore.ts'
import type { ProgressListener } from './progress.ts'

export type PublishedSolution = {
  offerId: number
  /** SHA-256 of the bundle's descriptor: what orders and receipts name. */
  solutionHash: Hex
  /** SHA-256 of the pack: where providers fetch the bundle. */
  bundleHash: Hex
  name: string
  version: string
  /** Whether the pack was published encrypted (its key released per order by the owner agent). */
  encrypted: boolean
}

/**
 * Publishes a solution bundle (a pack made by `bocc solutions pack`) and offers it: checks the
 * pack (its manifest, paths and hash), stores its descriptor (so anyone reads the manifest and
 * limits from the solution hash) and the pack in the blob store, and creates the solution offer.
 */
export async function publishSolution(
  signer: BoccSigner,
  parameters: {
    blobs: BlobStore
    pack: Uint8Array
    price: bigint
    /**
     * Encrypt the pack under a fresh key kept in this key store (with the vendor's release policy):
     * only enclaves the owner agent releases the key to can load the solution.
     */
    encrypt?: { keys: ContentKeyStore; policy?: unknown }
    onProgress?: ProgressListener
  },
): Promise<PublishedSolution> {
  const bundle = unpackSolutionBundle(parameters.pack)
  let bundleBlob = parameters.pack
  if (parameters.encrypt) {
    const { key, ciphertext } = await encryptObject(parameters.pack)
    try {
      await parameters.encrypt.keys.save({
        kind: 'solution',
        contentHash: bundle.solutionHash,
        key,
        ...(parameters.encrypt.policy === undefined ? {} : { policy: parameters.encrypt.policy }),
      })
    } finally {
      key.fill(0)
    }
    bundleBlob = ciphertext
  }
  parameters.onProgress?.({
    stage: 'uploading',
    name: bundle.manifest.name,
    bytes: 0,
    totalBytes: parameters.pack.length,
  })
  const { solutionHash, bundleHash } = await publishSolutionBundle(
    parameters.blobs,
    bundle,
    bundleBlob,
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
    encrypted: parameters.encrypt !== undefined,
  }
}
