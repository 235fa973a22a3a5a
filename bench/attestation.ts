// Attestation verification time, warm and cold, and against @phala/dcap-qvl.
//
// Warm: the median of repeated verifications in one process (parsed certificates, imported keys,
// verified certificate and collateral signatures reused, as in a long-lived verifier; the quote
// and QE report signatures, dates, CRL look-ups and the TCB evaluation run every time).
// Ratio: BOCC and dcap-qvl (pure JS) on the same quote and collateral, interleaved round by round
// in one process, so both see the same machine load. Cold: a fresh process per run
// (bench/coldVerification.ts): the import of the verifier plus the first TDX verification.

import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import { readIntelCollateral } from '../src/attestation/intel/collateral.ts'
import { type VerifyEvidenceOptions, verifyEvidence } from '../src/attestation/verifyEvidence.ts'
import { signSimEvidence } from '../src/enclave/tee/signSimEvidence.ts'
import { collateralSet, evidenceVector, vector } from '../test/attestationVectors.ts'
import { toPhalaCollateral } from '../test/phalaVerifiers.ts'

type Stats = { median: number; min: number; max: number }

function statsOf(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b)
  const round = (value: number) => Number(value.toFixed(3))
  return {
    median: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    min: round(sorted[0] ?? 0),
    max: round(sorted.at(-1) ?? 0),
  }
}

async function timesOf(runs: number, action: () => unknown): Promise<number[]> {
  for (let i = 0; i < 5; i++) await action()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await action()
    times.push(performance.now() - started)
  }
  return times
}

async function warm(evidence: Uint8Array, options: VerifyEvidenceOptions): Promise<Stats> {
  const verdict = await verifyEvidence(evidence, options)
  if (!verdict.ok) throw new Error(`benchmark evidence does not verify: ${verdict.error}`)
  return statsOf(await timesOf(200, () => verifyEvidence(evidence, options)))
}

const phala = createRequire(import.meta.url)('@phala/dcap-qvl') as {
  verify(quote: Uint8Array, collateral: unknown, nowSeconds: number): { status: string }
}

/** BOCC ÷ dcap-qvl on the same TDX quote, per interleaved round of 50 verifications each. */
async function ratioToDcapQvl(): Promise<{ ratio: Stats; dcapQvlMs: Stats }> {
  const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
  const at = new Date('2025-06-20T00:00:00Z')
  const collateral = readIntelCollateral(collateralSet('P-TDX'))
  const phalaCollateral = toPhalaCollateral(collateral)
  const options = { at, collateral }
  const ratios: number[] = []
  const phalaMedians: number[] = []
  for (let round = 0; round < 15; round++) {
    const ours = statsOf(await timesOf(50, () => verifyEvidence(quote, options))).median
    const theirs = statsOf(
      await timesOf(50, () => phala.verify(quote, phalaCollateral, at.getTime() / 1000)),
    ).median
    ratios.push(ours / theirs)
    phalaMedians.push(theirs)
  }
  return { ratio: statsOf(ratios), dcapQvlMs: statsOf(phalaMedians) }
}

async function cold(runs: number, argument?: string): Promise<Stats> {
  const run = promisify(execFile)
  const script = new URL('./coldVerification.ts', import.meta.url).pathname
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, [script, ...(argument ? [argument] : [])])
    times.push(Number(stdout.trim()))
  }
  return statsOf(times)
}

function flatten(prefix: string, stats: Stats): Record<string, number> {
  return {
    [prefix]: stats.median,
    [`${prefix}_min`]: stats.min,
    [`${prefix}_max`]: stats.max,
  }
}

/** Attestation figures for bench/results/bench.json: medians, with min and max. */
export async function benchAttestation(): Promise<Record<string, number>> {
  const sim = await signSimEvidence({
    measurement: `0x${'11'.repeat(32)}`,
    reportData: `0x${'22'.repeat(64)}`,
    debug: false,
    issuedAt: new Date(),
  })
  const perKind: Record<string, Stats> = {
    tdx: await warm(evidenceVector('phala-dcap-qvl/tdx_quote'), {
      at: new Date('2025-06-20T00:00:00Z'),
      collateral: readIntelCollateral(collateralSet('P-TDX')),
    }),
    tdx_v5: await warm(evidenceVector('google-go-tdx-guest/quote_v5_sample.dat'), {
      at: new Date('2026-02-01T00:00:00Z'),
      collateral: readIntelCollateral(collateralSet('T-90c06f')),
    }),
    sgx: await warm(evidenceVector('phala-dcap-qvl/sgx_quote'), {
      at: new Date('2025-06-20T00:00:00Z'),
      collateral: readIntelCollateral(collateralSet('P-SGX')),
    }),
    sev_snp: await warm(vector('tinfoil-js/sev_snp_report_genoa.bin'), {
      at: new Date('2026-02-01T00:00:00Z'),
      certs: [vector('tinfoil-js/vcek_genoa.der')],
    }),
    nvidia: await warm(evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt'), {
      at: new Date('2026-01-01T00:00:00Z'),
      certs: [vector('nvidia-nvtrust/hopperCertChain.txt')],
    }),
    sim: await warm(sim, { at: new Date() }),
  }
  const { ratio, dcapQvlMs } = await ratioToDcapQvl()
  const results: Record<string, number> = {}
  for (const [kind, stats] of Object.entries(perKind))
    Object.assign(results, flatten(`attestation_verify_ms_${kind}`, stats))
  Object.assign(
    results,
    flatten('attestation_verify_vs_dcap_qvl_ratio', ratio),
    flatten('attestation_dcap_qvl_verify_ms', dcapQvlMs),
    flatten('attestation_verify_cold_ms', await cold(9)),
    flatten('attestation_dcap_qvl_cold_ms', await cold(9, 'dcap-qvl')),
  )
  return results
}

if (import.meta.main) console.log(await benchAttestation())
