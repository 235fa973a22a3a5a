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
import type { BenchMode } from './report.ts'
import { type Summary, summarize } from './summary.ts'

/** How many times each figure is taken: the full benchmark's counts, or once (a smoke run). */
export type AttestationBenchSize = {
  warmRuns: number
  ratioRounds: number
  ratioRunsPerRound: number
  coldRuns: number
}

/** The full benchmark's counts, and one of each for a smoke run. */
export const attestationBenchSizes: Record<BenchMode, AttestationBenchSize> = {
  full: { warmRuns: 200, ratioRounds: 15, ratioRunsPerRound: 50, coldRuns: 9 },
  smoke: { warmRuns: 1, ratioRounds: 1, ratioRunsPerRound: 1, coldRuns: 1 },
}

/** The kinds of evidence timed warm, each on a real vector (the sim one made here). */
export type EvidenceKind = 'tdx' | 'tdx-v5' | 'sgx' | 'sev-snp' | 'nvidia' | 'sim'

/** What the attestation benchmark measured: each figure over its runs, in ms unless a ratio. */
export type AttestationBench = {
  /** Warm verification per kind of evidence. */
  verifyMs: Record<EvidenceKind, Summary>
  /** BOCC ÷ @phala/dcap-qvl, warm on the same TDX quote, one value per interleaved round. */
  vsDcapQvlRatio: Summary
  /** @phala/dcap-qvl's warm verification in those rounds. */
  dcapQvlVerifyMs: Summary
  /** A fresh process: the import plus the first TDX verification. */
  verifyColdMs: Summary
  /** The same for @phala/dcap-qvl. */
  dcapQvlColdMs: Summary
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

async function warm(
  runs: number,
  evidence: Uint8Array,
  options: VerifyEvidenceOptions,
): Promise<Summary> {
  const verdict = await verifyEvidence(evidence, options)
  if (!verdict.ok) throw new Error(`benchmark evidence does not verify: ${verdict.error}`)
  return summarize(await timesOf(runs, () => verifyEvidence(evidence, options)))
}

const phala = createRequire(import.meta.url)('@phala/dcap-qvl') as {
  verify(quote: Uint8Array, collateral: unknown, nowSeconds: number): { status: string }
}

/** BOCC ÷ dcap-qvl on the same TDX quote, per interleaved round of verifications of each. */
async function ratioToDcapQvl(
  size: AttestationBenchSize,
): Promise<{ ratio: Summary; dcapQvlMs: Summary }> {
  const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
  const at = new Date('2025-06-20T00:00:00Z')
  const collateral = readIntelCollateral(collateralSet('P-TDX'))
  const phalaCollateral = toPhalaCollateral(collateral)
  const options = { at, collateral }
  const ratios: number[] = []
  const phalaMedians: number[] = []
  for (let round = 0; round < size.ratioRounds; round++) {
    const ours = summarize(
      await timesOf(size.ratioRunsPerRound, () => verifyEvidence(quote, options)),
    ).median
    const theirs = summarize(
      await timesOf(size.ratioRunsPerRound, () =>
        phala.verify(quote, phalaCollateral, at.getTime() / 1000),
      ),
    ).median
    ratios.push(ours / theirs)
    phalaMedians.push(theirs)
  }
  return { ratio: summarize(ratios), dcapQvlMs: summarize(phalaMedians) }
}

async function cold(runs: number, argument?: string): Promise<Summary> {
  const run = promisify(execFile)
  const script = new URL('./coldVerification.ts', import.meta.url).pathname
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, [script, ...(argument ? [argument] : [])])
    times.push(Number(stdout.trim()))
  }
  return summarize(times)
}

/** Times attestation verification: warm per kind of evidence, against dcap-qvl, and cold. */
export async function benchAttestation(
  size: AttestationBenchSize = attestationBenchSizes.full,
): Promise<AttestationBench> {
  const sim = await signSimEvidence({
    measurement: `0x${'11'.repeat(32)}`,
    reportData: `0x${'22'.repeat(64)}`,
    debug: false,
    issuedAt: new Date(),
  })
  const runs = size.warmRuns
  const verifyMs: Record<EvidenceKind, Summary> = {
    tdx: await warm(runs, evidenceVector('phala-dcap-qvl/tdx_quote'), {
      at: new Date('2025-06-20T00:00:00Z'),
      collateral: readIntelCollateral(collateralSet('P-TDX')),
    }),
    'tdx-v5': await warm(runs, evidenceVector('google-go-tdx-guest/quote_v5_sample.dat'), {
      at: new Date('2026-02-01T00:00:00Z'),
      collateral: readIntelCollateral(collateralSet('T-90c06f')),
    }),
    sgx: await warm(runs, evidenceVector('phala-dcap-qvl/sgx_quote'), {
      at: new Date('2025-06-20T00:00:00Z'),
      collateral: readIntelCollateral(collateralSet('P-SGX')),
    }),
    'sev-snp': await warm(runs, vector('tinfoil-js/sev_snp_report_genoa.bin'), {
      at: new Date('2026-02-01T00:00:00Z'),
      certs: [vector('tinfoil-js/vcek_genoa.der')],
    }),
    nvidia: await warm(runs, evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt'), {
      at: new Date('2026-01-01T00:00:00Z'),
      certs: [vector('nvidia-nvtrust/hopperCertChain.txt')],
    }),
    sim: await warm(runs, sim, { at: new Date() }),
  }
  const { ratio, dcapQvlMs } = await ratioToDcapQvl(size)
  return {
    verifyMs,
    vsDcapQvlRatio: ratio,
    dcapQvlVerifyMs: dcapQvlMs,
    verifyColdMs: await cold(size.coldRuns),
    dcapQvlColdMs: await cold(size.coldRuns, 'dcap-qvl'),
  }
}

if (import.meta.main) console.log(await benchAttestation())
