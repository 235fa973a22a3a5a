import { BoccError } from '../errors.ts'
import { type BlobId, maxBlobChunkBytes } from '../protocol/enclaveInterface.ts'

export class BlobError extends BoccError {
  override name = 'BlobError'
}

/**
 * The blobs crossing the interface in chunks: those the host is putting (ciphertext, requests,
 * public bundles) and those the runtime made for the host to read (encrypted outputs). The total
 * held is bounded; the host drops what it no longer needs, and the runtime drops what it consumed.
 */
export function createBlobInbox(maxTotalBytes: number) {
  const writing = new Map<BlobId, Buffer[]>()
  const sealed = new Map<BlobId, Uint8Array>()
  let total = 0
  const checkId = (blob: unknown): BlobId => {
    if (typeof blob !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(blob))
      throw new BlobError('a blob id is 1 to 64 letters, digits, - or _')
    return blob
  }
  const drop = (blob: BlobId) => {
    const parts = writing.get(blob)
    if (parts) total -= parts.reduce((sum, part) => sum + part.length, 0)
    const bytes = sealed.get(blob)
    if (bytes) total -= bytes.length
    writing.delete(blob)
    sealed.delete(blob)
  }
  return {
    put(blob: unknown, offset: unknown, chunk: unknown, final: unknown): number {
      const id = checkId(blob)
      if (typeof chunk !== 'string' || chunk.length > Math.ceil(maxBlobChunkBytes / 3) * 4)
        throw new BlobError(`a chunk is a base64 string of at most ${maxBlobChunkBytes} bytes`)
      if (sealed.has(id)) throw new BlobError(`blob ${id} is already complete`)
      const parts = writing.get(id) ?? []
      const held = parts.reduce((sum, part) => sum + part.length, 0)
      if (offset !== held)
        throw new BlobError(
          `blob ${id} holds ${held} bytes: a chunk at ${String(offset)} is refused`,
        )
      const bytes = Buffer.from(chunk, 'base64')
      if (total + bytes.length > maxTotalBytes)
        throw new BlobError(`the runtime holds at most ${maxTotalBytes} bytes of blobs`)
      parts.push(bytes)
      writing.set(id, parts)
      total += bytes.length
      const size = held + bytes.length
      if (final === true) {
        writing.delete(id)
        sealed.set(id, new Uint8Array(Buffer.concat(parts, size)))
      }
      return size
    },
    /** Makes a blob from bytes the runtime produced. */
    add(blob: BlobId, bytes: Uint8Array) {
      drop(blob)
      sealed.set(blob, bytes)
      total += bytes.length
    },
    /** A complete blob; consuming it (`take`) also drops it. */
    get(blob: unknown): Uint8Array {
      const id = checkId(blob)
      const bytes = sealed.get(id)
      if (!bytes) throw new BlobError(`there is no complete blob ${id}`)
      return bytes
    },
    take(blob: unknown): Uint8Array {
      const bytes = this.get(blob)
      drop(blob as BlobId)
      return bytes
    },
    read(blob: unknown, offset: unknown) {
      const bytes = this.get(blob)
      if (!Number.isSafeInteger(offset) || (offset as number) < 0)
        throw new BlobError('offset must be a whole number')
      const start = Math.min(offset as number, bytes.length)
      const end = Math.min(start + maxBlobChunkBytes, bytes.length)
      return {
        chunk: Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('base64'),
        final: end === bytes.length,
      }
    },
    drop(blob: unknown) {
      drop(checkId(blob))
    },
    get totalBytes() {
      return total
    },
  }
}

export type BlobInbox = ReturnType<typeof createBlobInbox>
