import { type ChildProcess, spawn } from 'node:child_process'
import { getCompileCacheDir } from 'node:module'
import { createInterface } from 'node:readline'
import { BoccError } from '../errors.ts'
import { stopProcess } from './stopProcess.ts'

export type Service = { process: ChildProcess; stop(): Promise<void> }

/**
 * Starts a BOCC service (a Node entry point that reports one JSON object per stdout line) and
 * resolves once `isReady` accepts one of its events. Secrets go in `env`, never in `args`, which
 * any local user can read. If the service exits first, the error carries its last stderr line.
 */
export async function spawnService<event>(parameters: {
  name: string
  entry: string
  args: string[]
  env?: Record<string, string>
  onEvent(event: event): void
  isReady(event: event): boolean
  /** Aborting stops the service, also while it is still starting. */
  signal?: AbortSignal
  graceMs?: number
  /** A command to run it under, such as `ip netns exec NAME` (default none). */
  launcher?: readonly string[]
}): Promise<Service> {
  const [command, ...args] = [
    ...(parameters.launcher ?? []),
    process.execPath,
    parameters.entry,
    ...parameters.args,
  ]
  const child = spawn(command as string, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...compileCacheOf(), ...parameters.env },
  })
  const stop = () => stopProcess(child, parameters.graceMs)
  parameters.signal?.addEventListener('abort', () => void stop(), { once: true })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let event: event
      try {
        event = JSON.parse(line)
      } catch {
        return
      }
      parameters.onEvent(event)
      if (parameters.isReady(event)) resolve()
    })
    child.once('exit', (code) => {
      const reason = stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(new RegExp(`^${parameters.name}: `), '')
      reject(
        new BoccError(
          `the ${parameters.name} stopped (code ${code})${reason ? `: ${reason}` : ''}`,
        ),
      )
    })
  })
  return { process: child, stop }
}

/**
 * A service shares the compile cache its parent uses (the `bocc` CLI enables one): its start then
 * skips type stripping and compilation of the modules it shares. The enclave runtime is never
 * started this way and never uses one: its code is only what was measured.
 */
function compileCacheOf(): { NODE_COMPILE_CACHE?: string } {
  const directory = getCompileCacheDir()
  return directory ? { NODE_COMPILE_CACHE: directory } : {}
}
