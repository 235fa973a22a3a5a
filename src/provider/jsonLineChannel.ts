import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { shortMessageOf } from '../errors.ts'
import { EnclaveError, EnclaveUnreachableError } from './enclaveErrors.ts'

/**
 * Calls `onLine` for each line of `input`. A fault of the stream only ends the lines: readline
 * re-emits its input's errors, and an error event nobody listens to would crash the process.
 * Whoever owns the stream learns of the fault from the stream itself.
 */
export function readLines(input: Readable, onLine: (line: string) => void): void {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  lines.on('error', () => {})
  lines.on('line', onLine)
}

/** Who reads the events of one stream (lines with `event` and `stream` and no `id`). */
export type StreamListener = {
  /** Each event of the stream, parsed, and its line as it came (to relay it unchanged). */
  event(message: { event: string; stream: string; [field: string]: unknown }, line: string): void
  /** The channel ended: no more events will come. */
  end(reason: EnclaveError): void
}

/** Requests and answers over newline-delimited JSON, as the enclave interface speaks it. */
export type JsonLineChannel = {
  call(method: string, params: unknown): Promise<unknown>
  /** Hands the events of `stream` to `listener` until the returned function is called. */
  listen(stream: string, listener: StreamListener): () => void
  /** Resolves when the channel ends, for whatever reason. */
  closed: Promise<void>
  isClosed(): boolean
  /** Why the channel ended, once it has. */
  endedBy(): EnclaveError | undefined
  /** Ends the channel: waiting and later calls reject with `reason`. */
  end(reason: EnclaveError): void
}

/**
 * `{ id, method, params }` out, `{ id, result }` or `{ id, error }` back, over a pair of
 * streams: the one place where a connection to an enclave runtime or its host fails. Every fault
 * (an error on either stream, the input ending, a write after that) ends the channel with an
 * {@link EnclaveUnreachableError} that every waiting and later call rejects with; an `error`
 * answer rejects that call with an {@link EnclaveError}. Nothing is ever thrown at the process.
 * Lines without an `id` are events (a lease response's chunks), handed to their stream's listener.
 */
export function openJsonLineChannel(parameters: {
  input: Readable
  output: Writable
  /** Who answers, for messages: "the enclave host". */
  peer: string
  /** Whether the input ending ends the channel (default); else the owner calls `end`. */
  endsWithInput?: boolean
}): JsonLineChannel {
  const { input, output, peer } = parameters
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  const listeners = new Map<string, StreamListener>()
  let nextId = 1
  let lost: EnclaveError | undefined
  let resolveClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  const end = (reason: EnclaveError) => {
    if (lost) return
    lost = reason
    for (const entry of waiting.values()) entry.reject(reason)
    waiting.clear()
    for (const listener of listeners.values()) listener.end(reason)
    listeners.clear()
    resolveClosed()
  }
  const fault = (error: Error) =>
    end(new EnclaveUnreachableError(`${peer} is unreachable: ${shortMessageOf(error)}`))
  input.on('error', fault)
  output.on('error', fault)
  if (parameters.endsWithInput ?? true)
    input.once('close', () => end(new EnclaveUnreachableError(`${peer} closed the connection`)))
  readLines(input, (line) => {
    let message: {
      id?: unknown
      result?: unknown
      error?: unknown
      event?: unknown
      stream?: unknown
    }
    try {
      message = JSON.parse(line)
    } catch {
      return
    }
    if (message?.id === undefined && typeof message?.event === 'string') {
      if (typeof message.stream === 'string')
        listeners
          .get(message.stream)
          ?.event(message as Parameters<StreamListener['event']>[0], line)
      return
    }
    const entry = waiting.get(message.id as number)
    if (!entry) return
    waiting.delete(message.id as number)
    if (message.error !== undefined)
      entry.reject(new EnclaveError(`the enclave refused: ${String(message.error)}`))
    else entry.resolve(message.result)
  })
  return {
    call(method, params) {
      if (lost) return Promise.reject(lost)
      const id = nextId++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        output.write(`${JSON.stringify({ id, method, params })}\n`)
      })
    },
    listen(stream, listener) {
      if (lost) {
        listener.end(lost)
        return () => {}
      }
      listeners.set(stream, listener)
      return () => {
        if (listeners.get(stream) === listener) listeners.delete(stream)
      }
    },
    closed,
    isClosed: () => lost !== undefined,
    endedBy: () => lost,
    end,
  }
}
