import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const entry = fileURLToPath(new URL('../../src/cli/bocc.ts', import.meta.url))

/** The repository root, for tests that name its files. */
export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url))

export type RunBoccOptions = {
  /** The working directory; default: the system's temporary directory (no workspace config). */
  cwd?: string
  /** Variables on top of the environment, whose BOCC_* variables are dropped first. */
  env?: Record<string, string>
}

/**
 * Runs the real `bocc` command (its own process tree: chain, provider, enclave), isolated from
 * the user's settings: no BOCC_* variable of the test's environment, a BOCC home of its own, and
 * a working directory without a workspace config unless the test gives one.
 */
export function runBocc(
  args: string[],
  options: RunBoccOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.cwd ?? tmpdir(),
      env: boccEnvironment(options.env),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The test's environment without BOCC_* variables, a BOCC home of its own, plus `extra`. */
export function boccEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('BOCC_')),
  )
  return { ...env, BOCC_HOME: join(tmpdir(), `bocc-test-home-${process.pid}`), ...extra }
}
