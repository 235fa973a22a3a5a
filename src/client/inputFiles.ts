import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { webStreamOf } from '../storage/nodeStreams.ts'
import { InputUnreadableError } from './inputUnreadableError.ts'

/**
 * An order input read from a file, in Node (`#client/inputFiles` in package.json; a browser gets
 * `inputFiles.browser.ts`): its size and first bytes without reading all of it.
 */
export async function describeInputFile(
  path: string,
  headBytes: number,
): Promise<{ size: number; head: Uint8Array }> {
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new Error('not a file')
    size = info.size
  } catch {
    throw new InputUnreadableError(`cannot read the input file ${path}`)
  }
  const head: Uint8Array[] = []
  let read = 0
  for await (const chunk of createReadStream(path, { start: 0, end: Math.max(0, headBytes - 1) })) {
    head.push(chunk as Buffer)
    read += (chunk as Buffer).length
  }
  return { size, head: new Uint8Array(Buffer.concat(head, read)) }
}

/** The file as a stream, chunk by chunk, whatever its size. */
export function readInputFile(path: string): ReadableStream<Uint8Array> {
  return webStreamOf(createReadStream(path))
}
