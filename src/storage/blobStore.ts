import type { Hex } from 'viem'

/**
 * A content-addressed store of public or encrypted blobs (never plaintext): a blob's address is the
 * SHA-256 of its bytes. Every read is checked against the address, so a store that lies is caught.
 * Implementations: a local directory (`createFsBlobStore`), a BOCC blob server
 * (`createHttpBlobStore`) and S3 (`createS3BlobStore`); `openBlobStore(url)` picks one by URL.
 */
export type BlobStore = {
  /** Stores `bytes`; resolves to their SHA-256, which is their address. */
  put(bytes: Uint8Array): Promise<Hex>
  /**
   * Stores what `body` streams, with bounded memory; resolves to its address. Given `hash`, it
   * refuses a body that hashes to anything else (`BlobHashMismatchError`) and stores nothing.
   */
  putStream(body: ReadableStream<Uint8Array>, options?: { hash?: Hex }): Promise<Hex>
  /** The blob at `hash`, verified (`BlobNotFoundError`, `BlobCorruptedError`). */
  get(hash: Hex): Promise<Uint8Array>
  /**
   * The blob at `hash` as a stream, hashed as it goes: a blob that does not match its address
   * errors the stream with `BlobCorruptedError` at its end, so act on it only once it ended.
   */
  getStream(hash: Hex): Promise<ReadableStream<Uint8Array>>
  has(hash: Hex): Promise<boolean>
  /** The blob's length in bytes (`BlobNotFoundError` when absent). */
  size(hash: Hex): Promise<number>
}

export {
  BlobCorruptedError,
  BlobHashMismatchError,
  BlobNotFoundError,
  BlobStoreUnavailableError,
  BlobTooLargeError,
  InvalidBlobAddressError,
} from './blobErrors.ts'
export { createFsBlobStore } from './fsBlobStore.ts'
export { createHttpBlobStore } from './httpBlobStore.ts'
export { openBlobStore } from './openBlobStore.ts'
export { createS3BlobStore } from './s3BlobStore.ts'
