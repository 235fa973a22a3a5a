// A runner's worker can answer over a pipe of its own (descriptor 4) instead of the IPC channel:
// one JSON text per line. Any thread of the worker can write it, which the `llm` worker needs: its
// answers leave from a thread off the model's core (../llm/offCoreAnswers.ts). Requests, with
// their large blobs, still come over the IPC channel.
import type { ChildProcess } from 'node:child_process'
import { writeSync } from 'node:fs'

/** The worker's descriptor of its answer pipe: the fifth of its stdio entries. */
export const answerPipeFd = 4

/** Longer lines than this end the worker: no honest answer comes near it. */
export const maxAnswerBytes = 1 << 20

/** One answer as the line that carries it. */
export function answerLine(message: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(message)}\n`)
}

/**
 * In the worker: writes whole answer lines on the answer pipe. The write blocks until the
 * runtime has room for them (the pipe blocks on this side), so no answer is lost or reordered.
 */
export function writeAnswerLines(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(answerPipeFd, bytes, at)
}

/**
 * In the runtime: emits each line `child` writes on its answer pipe as the child's `message`
 * event, parsed, so that a supervisor listens to the one event whichever channel a worker answers
 * on. A line that is not JSON, or longer than any answer, kills the child (its `exit` follows).
 */
export function readAnswers(child: ChildProcess): void {
  const pipe = child.stdio[answerPipeFd]
  if (!pipe) throw new Error('the worker was started without an answer pipe')
  let pending: Buffer[] = []
  let pendingBytes = 0
  let broken = false
  pipe.on('data', (chunk: Buffer) => {
    if (broken) return
    let start = 0
    for (let end = chunk.indexOf(10); end >= 0; end = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...pending, chunk.subarray(start, end)])
      pending = []
      pendingBytes = 0
      start = end + 1
      let message: unknown
      try {
        if (line.length > maxAnswerBytes) throw new RangeError('line too long')
        message = JSON.parse(line.toString('utf8'))
      } catch {
        broken = true
        child.kill('SIGKILL')
        return
      }
      child.emit('message', message)
    }
    pendingBytes += chunk.length - start
    if (pendingBytes > maxAnswerBytes) {
      broken = true
      child.kill('SIGKILL')
    } else if (start < chunk.length) pending.push(chunk.subarray(start))
  })
  // A killed worker's pipe may end in an error: the child's `exit` is what settles its request.
  pipe.on('error', () => {})
}
