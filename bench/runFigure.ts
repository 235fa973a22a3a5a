// One figure of the benchmark in a process of its own (bench/run.ts starts it): each figure starts
// from a fresh heap, with no thread, handle or cache an earlier one left behind. Arguments: the
// figure's name, the mode, and the rounds if given; the report goes back over IPC.
process.env.ORT_DISABLE_TELEMETRY = '1'

import { figures } from './figures/all.ts'
import type { BenchMode } from './report.ts'

const [name = '', mode, rounds] = process.argv.slice(2)
const load = figures[name]
if (!load) throw new Error(`no figure ${name}`)
const measure = await load()
const report = await measure({
  mode: mode as BenchMode,
  log: (line) => console.log(line),
  ...(rounds === undefined ? {} : { rounds: Number(rounds) }),
})
process.send?.(report, () => process.exit(0))
