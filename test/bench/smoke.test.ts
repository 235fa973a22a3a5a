import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { figureValue, goals } from '../../bench/goals.ts'
import { vectorsMissing } from '../attestationVectors.ts'

/** Every key of bench/results/latest.json that BENCHMARKS.md explains. */
const keys = [
  'confidential_overhead_ratio',
  'confidential_overhead_by_n',
  'confidential_throughput_ratio',
  'order_latency_ms_p50',
  'order_latency_ms_p95',
  'orders_per_s',
  'orders_per_s_vs_transfers_ratio',
  'orders_lost_under_load',
  'aead_vs_raw_ratio',
  'aead_peak_rss_mib',
  'hpke_wraps_per_s',
  'verify_ms',
  'verify_vs_dcap_qvl_ratio',
  'verify_cold_ms',
  'enclave_rss_mib',
  'enclave_rss_growth_mib',
  'demo_s',
  'inference_ttft_overhead_ratio',
  'inference_itl_overhead_ratio',
  'gas',
  'machine',
]

it('the benchmark runs one iteration of every figure and reports every key (null only with a reason)', () => {
  const run = spawnSync(process.execPath, ['bench/run.ts', '--smoke'], {
    encoding: 'utf8',
    timeout: 600_000,
  })
  assert.equal(run.status, 0, run.stderr.slice(-2000))
  const report = JSON.parse(readFileSync('bench/results/smoke.json', 'utf8')) as Record<
    string,
    unknown
  > & { notes: Record<string, string>; mode: string }
  assert.equal(report.mode, 'smoke')
  for (const key of keys) {
    assert.ok(key in report, `${key} is missing`)
    if (report[key] === null) assert.ok(report.notes[key], `${key} is null without a reason`)
    // Every part the figures measure exists: only missing hardware vectors may leave one out.
    if (!vectorsMissing) assert.notEqual(report[key], null, `${key}: ${report.notes[key]}`)
  }
  assert.equal(report.orders_lost_under_load, 0)
  // Every goal names a figure the run reports (a number, or null with a reason).
  for (const goal of goals) {
    const value = figureValue(report, goal.key)
    if (value === null) assert.ok(report.notes[goal.key.split('.')[0] as string], goal.key)
    else assert.equal(typeof value, 'number', `${goal.key} is not a figure of the run`)
  }
})
