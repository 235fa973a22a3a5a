import { fileURLToPath } from 'node:url'
import type { Deployment } from '../chain/deployment.ts'
import { BoccError } from '../errors.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { openBlobStore } from '../storage/openBlobStore.ts'
import type { ProviderConfig } from './config.ts'

export class BlobStoreConfigError extends BoccError {
  override name = 'BlobStoreConfigError'
}

/**
 * The daemon's blob store: the configured one (a directory or a URL), else the deployment's.
 * `directory` is set for a store in a local directory.
 */
export function providerBlobStore(
  config: Pick<ProviderConfig, 'blobStore'>,
  deployment: Deployment,
): { store: BlobStore; directory?: string } {
  const url = config.blobStore ?? deployment.blobStore
  if (!url)
    throw new BlobStoreConfigError(
      'the deployment names no blob store; set blobs in the configuration',
    )
  const directory = url.startsWith('file:')
    ? fileURLToPath(url)
    : url.startsWith('/')
      ? url
      : undefined
  return { store: openBlobStore(url), ...(directory ? { directory } : {}) }
}
