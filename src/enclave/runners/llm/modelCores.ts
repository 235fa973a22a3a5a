import { execFileSync } from 'node:child_process'
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { delimiter, join } from 'node:path'

/**
 * How a model's process is started on a core of its own: `taskset` (util-linux) in front of node,
 * so every thread llama.cpp starts inherits the core. Token generation is one thread at full speed;
 * when the lease path's processes (the runtime sealing each token, and on a one-machine setup the
 * provider's front and host and the customer's proxy) are woken onto its core they preempt it, and
 * tokens came about 5 % slower than the same model called directly; on a core of its own, 1 %
 * (BENCHMARKS.md, "Where the time goes").
 */
export type ModelCoreLaunch = {
  core: number
  /** What to start instead of node: `taskset`. */
  execPath: string
  /** What goes before node's own flags: `-c CORE node`. */
  execArgv: string[]
}

let nextModel = 0

/**
 * Where the next model's process runs: the machine's cores but the first, in turn from the last
 * (the first is always left to the event loops), or undefined on a machine of one core or without
 * `taskset`, where it runs wherever the scheduler puts it.
 */
export function nextModelCore(
  cores = availableParallelism(),
  search = process.env.PATH ?? '',
): ModelCoreLaunch | undefined {
  const taskset = findTaskset(search)
  if (cores < 2 || !taskset) return undefined
  const core = cores - 1 - (nextModel++ % (cores - 1))
  return { core, execPath: taskset, execArgv: ['-c', String(core), process.execPath] }
}

/** Whether this process was started on a model's core: it may run on fewer than the machine's. */
export function isOnModelCore(machineCores = cpus().length): boolean {
  return availableParallelism() < machineCores
}

/**
 * Moves this process's thread named `name` (a worker thread's name) to the first core, off the
 * model's; false where there is no such thread or `taskset` cannot move it.
 */
export function moveThreadToFirstCore(name: string, search = process.env.PATH ?? ''): boolean {
  const taskset = findTaskset(search)
  const thread = readdirSync('/proc/self/task').find(
    (id) => readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim() === name,
  )
  if (!taskset || !thread) return false
  try {
    execFileSync(taskset, ['-p', '-c', '0', thread], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function findTaskset(search: string): string | undefined {
  for (const directory of search.split(delimiter).filter(Boolean)) {
    const path = join(directory, 'taskset')
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {}
  }
  return undefined
}
