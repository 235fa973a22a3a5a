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
  const visit = (pid: number) => {
    if (models.includes(pid) || commandOf(pid).includes('src/enclave/main.ts')) return
    pin(pid, free)
    for (const child of childrenOf(pid)) visit(child)
  }
  visit(root)
  return () => pin(root, all)
}

/** The llm workers under `root`: the enclave's model processes. */
export function llmWorkersUnder(root = process.pid): number[] {
  const found: number[] = []
  const visit = (pid: number) => {
    if (commandOf(pid).includes('runners/llm/llmWorker.ts')) found.push(pid)
    for (const child of childrenOf(pid)) visit(child)
  }
  visit(root)
  return found
}

function allowedCores(pid: number): number[] {
  const list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return (list ?? '').split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number)
    return Array.from(
      { length: (to as number) - (from as number) + 1 },
      (_, i) => (from as number) + i,
    )
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
