import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'

/**
 * Node streams to web streams and back. Both sides are the same objects at run time; the casts
 * only bridge the DOM and Node typings of `ReadableStream`, which TypeScript keeps apart.
 */
export function webStreamOf(readable: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(readable) as unknown as ReadableStream<Uint8Array>
}

export function nodeStreamOf(stream: ReadableStream<Uint8Array>): Readable {
  return Readable.fromWeb(stream as unknown as NodeReadableStream<Uint8Array>)
}
