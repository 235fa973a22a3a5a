import type { Readable } from 'node:stream'

/**
 * Splits a stream into lines of at most `maxLength` bytes. A longer line is skipped whole (its
 * bytes are dropped as they arrive, never held) and reported as `undefined`, so a hostile host
 * cannot make the runtime buffer an unbounded message.
 */
export async function* readBoundedLines(
  input: Readable,
  maxLength: number,
): AsyncGenerator<string | undefined> {
  let parts: Buffer[] = []
  let length = 0
  let overlong = false
  for await (const data of input as AsyncIterable<Buffer>) {
    let start = 0
    for (;;) {
      const newline = data.indexOf(10, start)
      const end = newline === -1 ? data.length : newline
      if (!overlong) {
        if (length + end - start > maxLength) {
          overlong = true
          parts = []
          length = 0
        } else if (end > start) {
          parts.push(data.subarray(start, end))
          length += end - start
        }
      }
      if (newline === -1) break
      yield overlong ? undefined : Buffer.concat(parts, length).toString('utf8')
      parts = []
      length = 0
      overlong = false
      start = newline + 1
    }
  }
}
