// A runner's worker can take its bundle's entry file (a model of gigabytes) on a pipe of its own
// (descriptor 5) instead of inside the IPC load message. Over IPC the bytes were serialised,
// copied into the worker's heap and kept there until a collection: a worker held its model three
// times while it loaded, and each start of a 311 MiB model spent seconds in the channel. Over the
// pipe they stream into the one place the worker wants them, and every worker gets its own copy
// from the runtime, so no worker can alter the model the next one starts with.
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs'
import { Writable } from 'node:stream'

/** The worker's descriptor of its entry pipe: the sixth of its stdio entries. */
export const entryPipeFd = 5

/** How much of the entry one read takes. */
const chunkBytes = 1 << 24

/**
 * In the runtime: streams `bytes` to `child`'s entry pipe and ends it. A worker that dies before
 * it has read them all breaks the pipe; its `exit` is what fails the start.
 */
export function sendEntry(child: ChildProcess, bytes: Uint8Array): void {
  const pipe = (child.stdio as unknown[])[entryPipeFd]
  if (!(pipe instanceof Writable)) throw new Error('the worker was started without an entry pipe')
  pipe.on('error', () => {})
  pipe.end(bytes)
}

/** A file that exists only in memory, read through this process's descriptor of it. */
export type MemoryOnlyFile = { path: string; close(): void }

/**
 * In the worker: reads `length` bytes from the entry pipe into a memory-only file, for libraries
 * that read a model from a path (llama.cpp). The file is on the memory-backed /dev/shm and
 * unlinked before a byte is written: it never has a name on any disk, and it is gone once closed
 * (or when this process is).
 */
export function receiveEntry(length: number): MemoryOnlyFile {
  const path = `/dev/shm/bocc-model-${randomBytes(16).toString('hex')}`
  const fd = openSync(path, 'wx+', 0o600)
  unlinkSync(path)
  try {
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(length, 1)))
    let received = 0
    while (received < length) {
      const read = readSync(entryPipeFd, chunk, 0, Math.min(chunk.length, length - received), null)
      if (read === 0) throw new Error(`the entry pipe ended after ${received} of ${length} bytes`)
      for (let at = 0; at < read; ) at += writeSync(fd, chunk, at, read - at)
      received += read
    }
  } catch (error) {
    closeSync(fd)
    throw error
  }
  closeSync(entryPipeFd)
  return { path: `/proc/self/fd/${fd}`, close: () => closeSync(fd) }
}
