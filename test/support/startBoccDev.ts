import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { boccEnvironment } from './runBocc.ts'

const entry = fileURLToPath(new URL('../../src/cli/bocc.ts', import.meta.url))

export type BoccDev = {
  /** The working directory `bocc dev` ran in (its `.bocc/` is there). */
  workspace: string
  /** The environment to run other commands with (the same BOCC home). */
  env: Record<string, string>
  /** Its `name: value` lines, by name (`key` lines by role). */
  lines: Record<string, string>
  keys: Record<string, string>
  /** Its `solution:` lines, one per solution on sale. */
  solutions: string[]
  stdout(): string
  process: ChildProcess
  /** Ctrl-C, then removes the workspace. */
  stop(): Promise<number | null>
}

/** Runs `bocc dev` as a person would, in a fresh directory, until it prints `ready`. */
export async function startBoccDev(args: string[] = []): Promise<BoccDev> {
  const workspace = await mkdtemp(join(tmpdir(), 'bocc-dev-test-'))
  const env = { BOCC_HOME: join(workspace, 'home') }
  const child = spawn(process.execPath, [entry, 'dev', ...args], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: boccEnvironment(env),
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('\nready;')) resolve()
    })
    exited.then((code) => reject(new Error(`bocc dev exited (${code}): ${stderr}`)))
  })
  const lines: Record<string, string> = {}
  const keys: Record<string, string> = {}
  const solutions: string[] = []
  for (const line of stdout.split('\n')) {
    const match = /^([a-z][a-z ]*): (.+)$/.exec(line)
    if (!match) continue
    const [, name = '', value = ''] = match
    if (name === 'key') {
      const [role = '', path = ''] = value.split(' ')
      keys[role] = path
    } else if (name === 'solution') solutions.push(value)
    else lines[name] = value
  }
  return {
    workspace,
    env,
    lines,
    keys,
    solutions,
    stdout: () => stdout,
    process: child,
    async stop() {
      child.kill('SIGINT')
      const code = await exited
      await rm(workspace, { recursive: true, force: true })
      return code
    },
  }
}
