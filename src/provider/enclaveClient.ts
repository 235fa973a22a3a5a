import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stopProcess } from '../processes/stopProcess.ts'
import {
  type EnclaveMethod,
  type EnclaveRequests,
  maxBlobChunkBytes,
} from '../protocol/enclaveInterface.ts'
import { EnclaveError, EnclaveUnreachableError } from './enclaveErrors.ts'
import { openJsonLineChannel, readLines, type StreamListener } from './jsonLineChannel.ts'

const enclaveEntry = join(dirname(fileURLToPath(import.meta.url)), '..', 'enclave', 'main.ts')

export { EnclaveError, EnclaveUnreachableError }

export type EnclaveClient = {
  request<method extends EnclaveMethod>(
    method: method,
    params: EnclaveRequests[method]['params'],
  ): Promise<EnclaveRequests[method]['result']>
  /** Hands a blob to the runtime in bounded chunks, under a fresh id. */
  putBlob(bytes: Uint8Array): Promise<string>
  /** Reads a blob the runtime made (an output) chunk by chunk, then drops it there. */
  takeBlob(blob: string): Promise<Uint8Array>
  /** Hands the runtime's events for `stream` (a lease response's chunks) to `listener`. */
  listen(stream: string, listener: StreamListener): () => void
  stop(): Promise<void>
  process: ChildProcess
}

/**
 * Starts the enclave runtime as its own process and talks to it over the narrow stdio interface.
 * The runtime gets a minimal environment: nothing of the host's (keys, tokens) leaks into it.
 */
export async function startEnclave(parameters: {
  tee: string
  /** Extra runtime options (for example `--tsm-root DIR`). */
  args?: string[]
  /** A command to run the runtime under (a sandbox such as `unshare --net`, or a tracer). */
  launcher?: string[]
  /** Aborting stops the runtime, also while it is still starting. */
  signal?: AbortSignal
}): Promise<EnclaveClient> {
  const [file, ...args] = [
    ...(parameters.launcher ?? []),
    process.execPath,
    // The runtime collects each order's garbage at once (src/enclave/main.ts).
    '--expose-gc',
    enclaveEntry,
    '--tee',
    parameters.tee,
    ...(parameters.args ?? []),
  ]
  const child = spawn(file as string, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ORT_DISABLE_TELEMETRY: '1' },
  })
  parameters.signal?.addEventListener('abort', () => void stopProcess(child), { once: true })
  // The exit, not the end of stdout, ends the channel: its message says why the runtime stopped.
  const channel = openJsonLineChannel({
    input: child.stdout,
    output: child.stdin,
    peer: 'the enclave runtime',
    endsWithInput: false,
  })
  let lastStatus = ''
  const ready = new Promise<void>((resolve, reject) => {
    readLines(child.stderr, (line) => {
      lastStatus = line.replace(/^enclave: /, '')
      if (lastStatus.startsWith('ready')) resolve()
    })
    child.once('exit', (code) => {
      const exited = new EnclaveUnreachableError(
        `the enclave runtime exited (code ${code}): ${lastStatus}`,
      )
      channel.end(exited)
      reject(exited)
    })
    child.once('error', (error) =>
      reject(new EnclaveError('the enclave runtime failed to start', { cause: error })),
    )
  })
  await ready

  const request = ((method, params) => channel.call(method, params)) as EnclaveClient['request']
  const client: EnclaveClient = {
    process: child,
    request,
    ...blobTransfer(request),
    listen: channel.listen,
    async stop() {
      child.stdin.end()
      await stopProcess(child)
    },
  }
  return client
}

const chunksInFlight = 4

/**
 * Moving blobs to and from a runtime in bounded chunks, over any connection to it (this client,
 * or an enclave host's socket). Blob ids are random, so connections that come and go (a daemon
 * that restarts) never reuse one the runtime still holds.
 */
export function blobTransfer(
  request: EnclaveClient['request'],
): Pick<EnclaveClient, 'putBlob' | 'takeBlob'> {
  return {
    async putBlob(bytes) {
      const blob = `host-${randomBytes(12).toString('hex')}`
      // A few chunks on their way at once, so the host and the runtime decode one while the next
      // crosses (about a third faster for a model of 300 MiB); each names its offset.
      const sending: Promise<unknown>[] = []
      let offset = 0
      do {
        const end = Math.min(offset + maxBlobChunkBytes, bytes.length)
        sending.push(
          request('putBlob', {
            blob,
            offset,
            chunk: Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString(
              'base64',
            ),
            final: end === bytes.length,
          }),
        )
        if (sending.length >= chunksInFlight) await sending.shift()
        offset = end
      } while (offset < bytes.length)
      await Promise.all(sending)
      return blob
    },
    async takeBlob(blob) {
      const parts: Buffer[] = []
      let offset = 0
      for (;;) {
        const { chunk, final } = await request('readBlob', { blob, offset })
        const bytes = Buffer.from(chunk, 'base64')
        parts.push(bytes)
        offset += bytes.length
        if (final) break
      }
      await request('dropBlob', { blob })
      return new Uint8Array(Buffer.concat(parts))
    },
  }
}
