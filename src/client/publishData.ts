import type { Hex } from 'viem'
import { createDataOffer } from '../chain/actions/catalog/createDataOffer.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { ContentKeyStore } from './contentKeyStore.ts'
import { encryptInput, type InputSource } from './encryptInput.ts'
import type { ProgressListener } from './progress.ts'

export type PublishedData = {
  offerId: number
  /** SHA-256 of the encrypted data set: its blob address, and the offer's `dataHash`. */
  dataHash: Hex
  /** The plaintext's size in bytes. */
  size: number
  /** The sealed file that keeps the data set's key for the owner agent. */
  keyFile: string
}

/**
 * Publishes a data set: encrypts it on this machine under a fresh key (streaming), stores the
 * ciphertext, keeps the key (and the vendor's release policy) in the vendor's key store before
 * anything is on-chain, and offers the data set at `price`. Only the owner agent, with that key
 * store, can ever release the key to an enclave.
 */
export async function publishData(
  signer: BoccSigner,
  parameters: {
    blobs: BlobStore
    source: InputSource
    price: bigint
    keys: ContentKeyStore
    /** The vendor's attestation policy for releasing the key (the owner agent applies it). */
    policy?: unknown
    onProgress?: ProgressListener
  },
): Promise<PublishedData> {
  const encrypted = await encryptInput(parameters.blobs, parameters.source, {
    ...(parameters.onProgress ? { onProgress: parameters.onProgress } : {}),
  })
  let keyFile: string
  try {
    keyFile = await parameters.keys.save({
      kind: 'data',
      contentHash: encrypted.inputHash,
      key: encrypted.dataKey,
      ...(parameters.policy === undefined ? {} : { policy: parameters.policy }),
    })
  } finally {
    encrypted.dataKey.fill(0)
  }
  parameters.onProgress?.({ stage: 'transacting', what: 'creating the data offer' })
  const { offerId } = await createDataOffer(signer, {
    dataHash: encrypted.inputHash,
    price: parameters.price,
  })
  return { offerId, dataHash: encrypted.inputHash, size: encrypted.size, keyFile }
}
