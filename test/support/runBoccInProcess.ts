import { main } from '../../src/cli/main.ts'
import type { RunBoccOptions } from './runBocc.ts'
import { boccEnvironment } from './runBocc.ts'

/**
 * Runs a `bocc` command line inside the test's process (the same `main` the command runs), with
 * its own working directory and environment, and what it printed. Much faster than a process per
 * command; tests that need real processes use `runBocc`. The test runner's own stdout is left
 * alone: commands print through `console` and `main`'s output, which are captured.
 */
export async function runBoccInProcess(
  args: string[],
  options: RunBoccOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const saved = {
    env: process.env,
    cwd: process.cwd(),
    exitCode: process.exitCode,
    log: console.log,
    error: console.error,
  }
  let stdout = ''
  let stderr = ''
  const format = (values: unknown[]) => `${values.map(String).join(' ')}\n`
  process.env = boccEnvironment(options.env)
  if (options.cwd) process.chdir(options.cwd)
  console.log = (...values: unknown[]) => {
    stdout += format(values)
  }
  console.error = (...values: unknown[]) => {
    stderr += format(values)
  }
  try {
    const code = await main(args, {
      writeOut: (text) => {
        stdout += text
      },
      writeErr: (text) => {
        stderr += text
      },
    })
    return { code, stdout, stderr }
  } finally {
    console.log = saved.log
    console.error = saved.error
    process.env = saved.env
    process.chdir(saved.cwd)
    process.exitCode = saved.exitCode
  }
}
