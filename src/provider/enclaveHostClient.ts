import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import { blobTransfer, type EnclaveClient, EnclaveError } from './enclaveClient.ts'

const hostEntry = join(dirname(fileURLToPath(import.meta.url)), 'enclaveHost.ts')

/** A connection to an enclave host: the enclave interface, and the host's own calls. */
export type EnclaveConnection = Pick<EnclaveClient, 'request' | 'putBlob' | 'takeBlob'> & {
  /** Resolves when the connection is lost: the runtime exited, or the host stopped. */
  closed: Promise<void>
  isClosed(): boolean
  /** Stops the host and its runtime. */
  stopHost(): Promise<void>
  /** Closes this connection; the host and its runtime go on. */
  disconnect(): void
}

/**
 * Starts an enclave host (and so a new enclave runtime, with new keys) as a process of its own
 * session, which outlives this one; resolves once it serves `socketPath`. Its environment holds
 * only `PATH`: no secret of the daemon reaches it.
 */
export async function spawnEnclaveHost(parameters: {
  tee: string
  socketPath: string
  orphanSeconds: number
  signal?: AbortSignal
}): Promise<{ pid: number; identity: EnclaveIdentity }> {
  const child = spawn(
    process.execPath,
    [
      hostEntry,
      '--tee',
      parameters.tee,
      '--socket',
      parameters.socketPath,
      '--orphan-seconds',
      String(parameters.orphanSeconds),
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '' } },
  )
  const onAbort = () => child.kill('SIGTERM')
  parameters.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    return await new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout })
      lines.once('line', (line) => {
        let message: { ready?: boolean; pid?: number; identity?: EnclaveIdentity; error?: string }
        try {
          message = JSON.parse(line)
        } catch {
          message = { error: 'the enclave host wrote something unexpected' }
        }
        if (message.ready && message.pid && message.identity)
          resolve({ pid: message.pid, identity: message.identity })
        else reject(new EnclaveError(`the enclave runtime did not start: ${message.error}`))
      })
      child.once('exit', (code) =>
        reject(new EnclaveError(`the enclave host exited (code ${code}) before it was ready`)),
      )
      child.once('error', (error) =>
        reject(new EnclaveError('the enclave host failed to start', { cause: error })),
      )
    })
  } finally {
    parameters.signal?.removeEventListener('abort', onAbort)
    child.stdout.destroy()
    child.unref()
  }
}

/** Connects to a running enclave host; throws {@link EnclaveError} if none serves the socket. */
export function connectEnclaveHost(socketPath: string): Promise<EnclaveConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath)
    const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
    let nextId = 1
    let closed = false
    let lost: EnclaveError = new EnclaveError('the enclave host closed the connection')
    const onClosed = new Promise<void>((resolveClosed) => {
      socket.once('close', () => {
        closed = true
        for (const entry of waiting.values()) entry.reject(lost)
        waiting.clear()
        resolveClosed()
      })
    })
    // Every error, not only one while connecting: a later one closes the socket, and so the connection.
    socket.on('error', (error) => {
      lost = new EnclaveError(`the enclave host is unreachable: ${shortMessageOf(error)}`)
      reject(lost)
    })
    const lines = createInterface({ input: socket })
    // readline re-emits the socket's errors (ECONNREFUSED on a stale socket); the socket's own
    // listener above handles them, and an unheard one would crash the daemon.
    lines.on('error', () => {})
    lines.on('line', (line) => {
      let message: { id: number; result?: unknown; error?: string }
      try {
        message = JSON.parse(line)
      } catch {
        return
      }
      const entry = waiting.get(message.id)
      if (!entry) return
      waiting.delete(message.id)
      if (message.error !== undefined)
        entry.reject(new EnclaveError(`the enclave refused: ${message.error}`))
      else entry.resolve(message.result)
    })
    const call = (method: string, params: unknown): Promise<unknown> => {
      if (closed) return Promise.reject(lost)
      const id = nextId++
      return new Promise((resolveCall, rejectCall) => {
        waiting.set(id, { resolve: resolveCall, reject: rejectCall })
        socket.write(`${JSON.stringify({ id, method, params })}\n`)
      })
    }
    const request: EnclaveClient['request'] = (method, params) => call(method, params) as never
    socket.once('connect', () =>
      resolve({
        request,
        ...blobTransfer(request),
        closed: onClosed,
        isClosed: () => closed,
        async stopHost() {
          await call('stopHost', {}).catch(() => undefined)
          await onClosed
        },
        disconnect: () => socket.destroy(),
      }),
    )
  })
}
