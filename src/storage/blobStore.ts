import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Hex, isHex, sha256 } from 'viem'
import { BoccError } from '../errors.ts'

/**
 * A content-addressed store of public or encrypted blobs (never plaintext). Every read is checked
 * against the address, so a store that lies is caught at once.
 */
export type BlobStore = {
  /** Stores `bytes` and returns their SHA-256, which is their address. */
  put(bytes: Uint8Array): Promise<Hex>
  /** Returns the blob at `hash`, verified. */
  get(hash: Hex): Promise<Uint8Array>
}

export class BlobNotFoundError extends BoccError {
  override name = 'BlobNotFoundError'
  constructor(hash: Hex) {
    super(`no blob ${hash} in the store`)
  }
}

export class BlobCorruptedError extends BoccError {
  override name = 'BlobCorruptedError'
  constructor(hash: Hex) {
    super(`the blob stored as ${hash} does not hash to its address`)
  }
}

/** A blob store in a local directory (one file per blob, named by its hash). */
export function createFsBlobStore(directory: string): BlobStore {
  const pathOf = (hash: Hex) => {
    if (!isHex(hash) || hash.length !== 66) throw new BoccError(`not a blob address: ${hash}`)
    return join(directory, hash.slice(2).toLowerCase())
  }
  return {
    async put(bytes) {
      const hash = sha256(bytes)
      await mkdir(directory, { recursive: true })
      // Write then rename, so a reader never sees a partial blob.
      const temporary = `${pathOf(hash)}.${process.pid}.partial`
      await writeFile(temporary, bytes)
      await rename(temporary, pathOf(hash))
      return hash
    },
    async get(hash) {
      let bytes: Uint8Array
      try {
        bytes = new Uint8Array(await readFile(pathOf(hash)))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(hash)
        throw error
      }
      if (sha256(bytes) !== hash.toLowerCase()) throw new BlobCorruptedError(hash)
      return bytes
    },
  }
}
