import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import { blobTransfer, type EnclaveClient } from './enclaveClient.ts'
import { EnclaveError } from './enclaveErrors.ts'
import { openJsonLineChannel, readLines } from './jsonLineChannel.ts'

const hostEntry = join(dirname(fileURLToPath(import.meta.url)), 'enclaveHost.ts')

/** A connection to an enclave host: the enclave interface, and the host's own calls. */
export type EnclaveConnection = Pick<
  EnclaveClient,
  'request' | 'putBlob' | 'takeBlob' | 'listen'
> & {
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
 * session, which outlives this one; resolves once it serves `socketPath`, with a way to stop it
 * without a connection. Its environment holds only `PATH`: no secret of the daemon reaches it.
 */
export async function spawnEnclaveHost(parameters: {
  tee: string
  socketPath: string
  orphanSeconds: number
  /** The runtime's confidential GPU evidence collector, if the machine has a GPU. */
  gpuCollector?: string
  signal?: AbortSignal
}): Promise<{ pid: number; identity: EnclaveIdentity; terminate(): void }> {
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
      ...(parameters.gpuCollector ? ['--gpu-collector', parameters.gpuCollector] : []),
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: { PATH: process.env.PATH ?? '' } },
  )
  const onAbort = () => child.kill('SIGTERM')
  parameters.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    return await new Promise((resolve, reject) => {
      let answered = false
      readLines(child.stdout, (line) => {
        if (answered) return
        answered = true
        let message: { ready?: boolean; pid?: number; identity?: EnclaveIdentity; error?: string }
        try {
          message = JSON.parse(line)
        } catch {
          message = { error: 'the enclave host wrote something unexpected' }
        }
        if (message.ready && message.pid && message.identity)
          resolve({
            pid: message.pid,
            identity: message.identity,
            // Through the child's handle: never a signal to a pid some other process now has.
            terminate: () => void child.kill('SIGTERM'),
          })
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

/** How long a connection is retried by default: a host that answered before is listening. */
const defaultRetryMs = 1_000

/**
 * Connects to an enclave host, retrying with backoff for `retryForMs` while nothing listens at
 * `socketPath` yet (a host still starting its runtime creates the socket only once it is
 * ready). Throws an `EnclaveUnreachableError` when no host answers by then: it is gone.
 */
export async function connectEnclaveHost(
  socketPath: string,
  options: { retryForMs?: number; signal?: AbortSignal } = {},
): Promise<EnclaveConnection> {
  const giveUpAt = Date.now() + (options.retryForMs ?? defaultRetryMs)
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce(socketPath)
    } catch (error) {
      const pause = Math.min(1_000, 25 * 2 ** attempt)
      if (options.signal?.aborted || Date.now() + pause > giveUpAt) throw error
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
  }
}

function connectOnce(socketPath: string): Promise<EnclaveConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath)
    const channel = openJsonLineChannel({ input: socket, output: socket, peer: 'the enclave host' })
    // A fault before the connection is made ends the channel too: that is this attempt's answer.
    void channel.closed.then(() => {
      socket.destroy()
      reject(channel.endedBy())
    })
    const request = ((method, params) => channel.call(method, params)) as EnclaveClient['request']
    socket.once('connect', () =>
      resolve({
        request,
        ...blobTransfer(request),
        listen: channel.listen,
        closed: channel.closed,
        isClosed: channel.isClosed,
        async stopHost() {
          await channel.call('stopHost', {}).catch(() => undefined)
          await channel.closed
        },
        disconnect: () => socket.destroy(),
      }),
    )
  })
}
