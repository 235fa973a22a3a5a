import { cpus, loadavg, totalmem } from 'node:os'

/** The machine the figures were taken on, and its load (these machines are shared). */
export function describeMachine() {
  const cores = cpus()
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memory_gib: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    load_average: loadavg().map((value) => Number(value.toFixed(2))),
  }
}
