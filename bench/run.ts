// `npm run bench [-- --smoke] [-- --only NAME,...] [-- --rounds N]`: measures what BOCC exists for
// on this machine and writes bench/results/latest.json and the chart docs/benchmarks.svg. Every
// figure is a median over repeated runs with min and max; every ratio is measured within one run,
// interleaving its two sides. `--smoke` runs one iteration of each (CI), without touching the
// chart; `--rounds N` gives the inference figure N rounds, for a measurement finer than ten
// minutes allow.
process.env.ORT_DISABLE_TELEMETRY = '1'

import { fork } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { renderChart } from './chart.ts'
import { figures } from './figures/all.ts'
import { describeMachine } from './figures/machine.ts'
import { figureValue, goals } from './goals.ts'
import type { BenchMode, FigureReport } from './report.ts'
import type { Summary } from './summary.ts'

const { values: options } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
  },
})
const rounds = options.rounds === undefined ? undefined : Number(options.rounds)
if (rounds !== undefined && !(Number.isSafeInteger(rounds) && rounds > 0)) {
  console.error(`--rounds must be a whole number above 0, not ${options.rounds}`)
  process.exit(2)
}
const mode: BenchMode = options.smoke ? 'smoke' : 'full'
const only = options.only?.split(',')
const started = performance.now()
const machineBefore = describeMachine()
const report: FigureReport = { values: {}, summaries: {}, notes: {} }
for (const name of Object.keys(figures)) {
  if (only && !only.includes(name)) continue
  console.log(`▸ ${name}`)
  const figureStarted = performance.now()
  const found = await measureInItsOwnProcess(name)
  Object.assign(report.values, found.values)
  Object.assign(report.summaries as object, found.summaries)
  Object.assign(report.notes as object, found.notes)
  console.log(`    ${((performance.now() - figureStarted) / 1000).toFixed(1)} s`)
}
// Orders lost under load: those of both throughput runs, OCR and WASM.
const lostByRun = [
  report.values.orders_lost_under_load_ocr,
  report.values.orders_lost_under_load_wasm,
]
if (lostByRun.some((lost) => typeof lost === 'number'))
  report.values.orders_lost_under_load = lostByRun.reduce<number>(
    (sum, lost) => sum + (typeof lost === 'number' ? lost : 0),
    0,
  )
;(report.notes as Record<string, string>).orders_lost_under_load =
  'orders of the OCR and the WASM throughput runs that neither completed nor were refunded (orders_lost_under_load_ocr + orders_lost_under_load_wasm)'
const generatedAt = new Date().toISOString()
const latest = {
  mode,
  generatedAt,
  duration_s: Number(((performance.now() - started) / 1000).toFixed(1)),
  ...report.values,
  machine: { ...machineBefore, load_average_after: describeMachine().load_average },
  stats: report.summaries,
  notes: report.notes,
}
await mkdir('bench/results', { recursive: true })
// A run of some figures only, or of other sizes, is kept apart: the committed results are always
// one whole run as it is defined.
const whole = !only && rounds === undefined
const output =
  mode === 'smoke'
    ? 'bench/results/smoke.json'
    : !whole
      ? 'bench/results/partial.json'
      : 'bench/results/latest.json'
await writeFile(output, `${JSON.stringify(latest, null, 2)}\n`)
if (mode === 'full' && whole) {
  await writeFile('docs/benchmarks.svg', renderChart(latest, generatedAt))
  await writeResultsTable(latest)
}

console.log('\nfigure                                   value            goal')
for (const goal of goals) {
  const value = figureValue(latest, goal.key)
  const shown = typeof value === 'number' ? String(value) : 'null (see notes)'
  const verdict = typeof value === 'number' ? (goal.met(value) ? 'met' : 'not met') : ''
  console.log(`${goal.key.padEnd(40)} ${shown.padEnd(16)} ${goal.goal} ${verdict}`)
}
console.log(`\nwrote ${output} in ${latest.duration_s} s`)
process.exit(0)

/** Runs one figure in a process of its own (bench/runFigure.ts), its lines printed as they come. */
function measureInItsOwnProcess(name: string): Promise<FigureReport> {
  const child = fork(
    new URL('./runFigure.ts', import.meta.url),
    [name, mode, ...(rounds === undefined ? [] : [String(rounds)])],
    { serialization: 'advanced' },
  )
  return new Promise((resolve, reject) => {
    let report: FigureReport | undefined
    child.once('message', (message: FigureReport) => {
      report = message
    })
    child.once('exit', (code) =>
      report ? resolve(report) : reject(new Error(`the ${name} figure failed (exit ${code})`)),
    )
  })
}

/** The table between the markers of BENCHMARKS.md: each figure, its spread, its goal, its owner. */
async function writeResultsTable(latest: Record<string, unknown>) {
  const stats = (latest.stats ?? {}) as Record<string, Summary>
  const notes = (latest.notes ?? {}) as Record<string, string>
  const machine = latest.machine as ReturnType<typeof describeMachine> & {
    load_average_after: number[]
  }
  const rows = goals.map((goal) => {
    const value = figureValue(latest, goal.key)
    const spread = stats[goal.key]
    const shown =
      typeof value === 'number'
        ? `${value}${spread ? ` (${spread.min}–${spread.max}, ${spread.runs} runs${spread.median95 ? `; median within ${spread.median95.join('–')} at 95 %` : ''})` : ''}`
        : 'null'
    const status =
      typeof value === 'number'
        ? goal.met(value)
          ? 'met'
          : `not met — ${goal.owner}`
        : `not measured: ${notes[goal.key] ?? ''}`
    return `| \`${goal.key}\` | ${shown} | ${goal.goal} | ${status} |`
  })
  const table = [
    `Latest full run: ${latest.generatedAt}, ${latest.duration_s} s, on ${machine.cpu} (${machine.cores} cores, ${machine.memory_gib} GiB, Node ${machine.node}), load ${machine.load_average.join(' ')} before and ${machine.load_average_after.join(' ')} after.`,
    '',
    '| figure | latest (min–max) | goal | status |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
  const document = await readFile('BENCHMARKS.md', 'utf8')
  const updated = document.replace(
    /<!-- results:start -->[\s\S]*<!-- results:end -->/,
    `<!-- results:start -->\n${table}\n<!-- results:end -->`,
  )
  await writeFile('BENCHMARKS.md', updated)
}
