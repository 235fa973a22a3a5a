import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { BoccError } from '../errors.ts'
import { stopProcess } from '../processes/stopProcess.ts'
import {
  type EnclaveMethod,
  type EnclaveRequests,
  type EnclaveResponseMessage,
  maxBlobChunkBytes,
} from '../protocol/enclaveInterface.ts'

const enclaveEntry = join(dirname(fileURLToPath(import.meta.url)), '..', 'enclave', 'main.ts')

export class EnclaveError extends BoccError {
  override name = 'EnclaveError'
}

export type EnclaveClient = {
  request<method extends EnclaveMethod>(
    method: method,
    params: EnclaveRequests[method]['params'],
  ): Promise<EnclaveRequests[method]['result']>
  /** Hands a blob to the runtime in bounded chunks, under a fresh id. */
  putBlob(bytes: Uint8Array): Promise<string>
  /** Reads a blob the runtime made (an output) chunk by chunk, then drops it there. */
  takeBlob(blob: string): Promise<Uint8Array>
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
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  let nextId = 1
  let exited: EnclaveError | undefined
  let lastStatus = ''

  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      lastStatus = line.replace(/^enclave: /, '')
      if (lastStatus.startsWith('ready')) resolve()
    })
    child.once('exit', (code) => {
      exited = new EnclaveError(`the enclave runtime exited (code ${code}): ${lastStatus}`)
      reject(exited)
      for (const { reject: rejectRequest } of waiting.values()) rejectRequest(exited)
      waiting.clear()
    })
    child.once('error', (error) =>
      reject(new EnclaveError('the enclave runtime failed to start', { cause: error })),
    )
  })
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: EnclaveResponseMessage
    try {
      message = JSON.parse(line)
    } catch {
      return
    }
    const entry = waiting.get(message.id)
    if (!entry) return
    waiting.delete(message.id)
    if ('error' in message) entry.reject(new EnclaveError(`the enclave refused: ${message.error}`))
    else entry.resolve(message.result)
  })
  await ready

  let nextBlob = 1
  const client: EnclaveClient = {
    process: child,
    request(method, params) {
      if (exited) return Promise.reject(exited)
      const id = nextId++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject })
        child.stdin.write(`${JSON.stringify({ id, method, params })}\n`)
      })
    },
    async putBlob(bytes) {
      const blob = `host-${nextBlob++}`
      let offset = 0
      do {
        const end = Math.min(offset + maxBlobChunkBytes, bytes.length)
        await client.request('putBlob', {
          blob,
          chunk: Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString(
            'base64',
          ),
          final: end === bytes.length,
        })
        offset = end
      } while (offset < bytes.length)
      return blob
    },
    async takeBlob(blob) {
      const parts: Buffer[] = []
      let offset = 0
      for (;;) {
        const { chunk, final } = await client.request('readBlob', { blob, offset })
        const bytes = Buffer.from(chunk, 'base64')
        parts.push(bytes)
        offset += bytes.length
        if (final) break
      }
      await client.request('dropBlob', { blob })
      return new Uint8Array(Buffer.concat(parts))
    },
    async stop() {
      child.stdin.end()
      await stopProcess(child)
    },
  }
  return client
}
