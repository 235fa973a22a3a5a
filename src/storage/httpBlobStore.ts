import { openAsBlob } from 'node:fs'
import type { BlobStore } from './blobStore.ts'
import { createHttpBlobClient, type HttpBlobStoreOptions } from './httpBlobClient.ts'
import { spoolToFile } from './spoolToFile.ts'

export { BlobRefusedError, type HttpBlobStoreOptions } from './httpBlobClient.ts'

/**
 * A client of a BOCC blob server at `baseUrl` ({@link createHttpBlobClient}) whose streamed
 * uploads are spooled to a temporary file while they are hashed, so memory stays bounded.
 */
export function createHttpBlobStore(
  baseUrl: string,
  options: HttpBlobStoreOptions = {},
): BlobStore {
  return createHttpBlobClient(baseUrl, {
    ...options,
    async spool(body, expected) {
      const spooled = await spoolToFile(body, expected)
      return {
        address: spooled.address,
        body: () => openAsBlob(spooled.path),
        remove: spooled.remove,
      }
    },
  })
}
