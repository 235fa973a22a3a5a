import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Hex } from 'viem'
import { checkingUpload } from './blobHash.ts'
import { nodeStreamOf } from './nodeStreams.ts'

export type SpooledBlob = {
  /** The temporary file holding the blob (readable by this user only). */
  path: string
  address: Hex
  /** Deletes the file and its folder. */
  remove(): Promise<void>
}

/**
 * Writes a streamed blob to a temporary file while hashing it, for stores that need the address
 * before the upload and a body they can send again when a retry is needed. Blobs are public or
 * encrypted, so this puts nothing secret on disk. With `expected`, a body that hashes to anything
 * else is refused (`BlobHashMismatchError`) and nothing is left behind.
 */
export async function spoolToFile(
  body: ReadableStream<Uint8Array>,
  expected?: Hex,
): Promise<SpooledBlob> {
  const folder = await mkdtemp(join(tmpdir(), 'bocc-spool-'))
  const remove = () => rm(folder, { recursive: true, force: true })
  try {
    const path = join(folder, 'blob')
    const upload = checkingUpload(body, expected)
    await pipeline(
      nodeStreamOf(upload.stream),
      createWriteStream(path, { flags: 'wx', mode: 0o600 }),
    )
    return { path, address: upload.address(), remove }
  } catch (error) {
    await remove()
    throw error
  }
}
