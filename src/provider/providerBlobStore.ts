import { fileURLToPath } from 'node:url'
import type { Deployment } from '../chain/deployment.ts'
import { BoccError } from '../errors.ts'
import { type BlobStore, createFsBlobStore } from '../storage/blobStore.ts'
import type { ProviderConfig } from './config.ts'

export class BlobStoreConfigError extends BoccError {
  override name = 'BlobStoreConfigError'
}

/** The daemon's blob store: the configured directory, else the deployment's `file://` store. */
export function providerBlobStore(
  config: Pick<ProviderConfig, 'blobsDirectory'>,
  deployment: Deployment,
): { directory: string; store: BlobStore } {
  const url = deployment.blobStore
  const directory =
    config.blobsDirectory ?? (url?.startsWith('file:') ? fileURLToPath(url) : undefined)
  if (!directory)
    throw new BlobStoreConfigError(
      url
        ? `the provider cannot use the blob store ${url} yet; set blobs to a directory`
        : 'the deployment names no blob store; set blobs to a directory',
    )
  return { directory, store: createFsBlobStore(directory) }
}
