import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Hex } from 'viem'
import { BlobNotFoundError, isPresent } from './blobErrors.ts'
import {
  blobAddressOf,
  checkingDownload,
  checkingUpload,
  readAll,
  streamOfBytes,
} from './blobHash.ts'
import type { BlobStore } from './blobStore.ts'
import { nodeStreamOf, webStreamOf } from './nodeStreams.ts'

/**
 * A blob store in a local directory: one file per blob, named by its address (64 hex digits).
 * A blob is written to a temporary file in the same directory while it is hashed, flushed to disk,
 * then renamed into place, so a reader never sees a partial blob and a crash leaves none.
 */
export function createFsBlobStore(directory: string): BlobStore {
  const pathOf = (hash: Hex) => join(directory, blobAddressOf(hash).slice(2))
  const notFound = (hash: Hex) => (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(hash)
    throw error
  }
  const store: BlobStore = {
    put: (bytes) => store.putStream(streamOfBytes(bytes)),
    async putStream(body, options = {}) {
      const expected = options.hash === undefined ? undefined : blobAddressOf(options.hash)
      await mkdir(directory, { recursive: true })
      const temporary = join(directory, `.${randomUUID()}.partial`)
      try {
        const upload = checkingUpload(body, expected)
        await pipeline(
          nodeStreamOf(upload.stream),
          createWriteStream(temporary, { flags: 'wx', flush: true }),
        )
        const address = upload.address()
        await rename(temporary, pathOf(address))
        return address
      } finally {
        await rm(temporary, { force: true })
      }
    },
    get: async (hash) => readAll(await store.getStream(hash)),
    async getStream(hash) {
      const address = blobAddressOf(hash)
      const handle = await open(pathOf(address)).catch(notFound(address))
      return checkingDownload(webStreamOf(handle.createReadStream()), address)
    },
    has: (hash) => isPresent(store.size(hash)),
    async size(hash) {
      return (await stat(pathOf(hash)).catch(notFound(blobAddressOf(hash)))).size
    },
  }
  return store
}
