// The machine layout the inference figure measures in: the model's process has its core to itself,
// as an enclave's vCPUs are its own on a provider's machine, and what runs outside the enclave (the
// provider's daemon and enclave host, the chain node, and this process, which stands in for the
// customer's machine with its proxy) keeps to the other cores. The enclave runtime stays where it
// is: inside an enclave it shares the enclave's cores with its model.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/**
 * Pins every process under `root` (and `root`) but the enclave runtimes, their children and the
 * `models`, to the cores the models' processes do not hold; returns how to undo it for `root`.
 * Does nothing on a machine whose models hold every core.
 */
export function keepOffModelCores(models: number[], root = process.pid): () => void {
  const all = Array.from({ length: availableParallelism() }, (_, core) => core)
  const held = new Set(models.flatMap((pid) => allowedCores(pid)))
  const free = all.filter((core) => !held.has(core))
  if (free.length === 0) return () => {}
  const pin = (pid: number, cores: number[]) =>
    execFileSync('taskset', ['-a', '-p', '-c', cores.join(','), String(pid)], { stdio: 'ignore' })
  const inEnclave = (pid: number) =>
    models.includes(pid) || commandOf(pid).includes('src/enclave/main.ts')
  for (const pid of processTree(root, inEnclave)) pin(pid, free)
  return () => pin(root, all)
}

/** The llm workers under `root`: the enclave's model processes. */
export function llmWorkersUnder(root = process.pid): number[] {
  return [...processTree(root)].filter((pid) => commandOf(pid).includes('runners/llm/llmWorker.ts'))
}

/** `root` and the processes under it, leaving out those `skip` names and all under them. */
function* processTree(
  root: number,
  skip: (pid: number) => boolean = () => false,
): Generator<number> {
  if (skip(root)) return
  yield root
  for (const child of childrenOf(root)) yield* processTree(child, skip)
}

function allowedCores(pid: number): number[] {
  const list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return (list ?? '').split(',').flatMap((range) => {
    const [from = 0, to = from] = range.split('-').map(Number)
    return Array.from({ length: to - from + 1 }, (_, offset) => from + offset)
  })
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}
