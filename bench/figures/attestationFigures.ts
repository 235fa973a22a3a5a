import { vectorsMissing } from '../../test/attestationVectors.ts'
import { benchAttestation } from '../attestation.ts'
import type { FigureReport } from '../report.ts'

/** Warm verification per kind of evidence (bench/attestation.ts). */
export async function measureAttestation(): Promise<FigureReport> {
  // Without the real-hardware vectors there is nothing honest to time.
  const missing = vectorsMissing
  if (missing) {
    const keys = ['verify_ms', 'verify_vs_dcap_qvl_ratio', 'verify_cold_ms']
    return {
      values: Object.fromEntries(keys.map((key) => [key, null])),
      notes: Object.fromEntries(keys.map((key) => [key, missing])),
    }
  }
  const results = await benchAttestation()
  // bench/attestation.ts reports each figure as PREFIX, PREFIX_min and PREFIX_max.
  const figure = (prefix: string, runs: number) => {
    const median = results[prefix]
    if (median === undefined) throw new Error(`bench/attestation.ts reported no ${prefix}`)
    return {
      median,
      min: results[`${prefix}_min`] ?? median,
      max: results[`${prefix}_max`] ?? median,
      runs,
    }
  }
  const kinds = { tdx: 'tdx', sgx: 'sgx', 'sev-snp': 'sev_snp', nvidia: 'nvidia', sim: 'sim' }
  const perKind = Object.fromEntries(
    Object.entries(kinds).map(([kind, key]) => [kind, figure(`attestation_verify_ms_${key}`, 200)]),
  )
  const ratio = figure('attestation_verify_vs_dcap_qvl_ratio', 15)
  const cold = figure('attestation_verify_cold_ms', 9)
  return {
    values: {
      verify_ms: Object.fromEntries(
        Object.entries(perKind).map(([kind, summary]) => [kind, summary.median]),
      ),
      verify_vs_dcap_qvl_ratio: ratio.median,
      verify_cold_ms: cold.median,
      attestation_details: results,
    },
    summaries: {
      ...Object.fromEntries(
        Object.entries(perKind).map(([kind, summary]) => [`verify_ms.${kind}`, summary]),
      ),
      verify_vs_dcap_qvl_ratio: ratio,
      verify_cold_ms: cold,
    },
    notes: {
      verify_ms: 'median of 200 warm verifications per kind, one core (bench/attestation.ts)',
      verify_vs_dcap_qvl_ratio:
        'warm TDX verification ÷ @phala/dcap-qvl on the same quote and collateral, interleaved',
      verify_cold_ms: 'a fresh process: import plus the first TDX verification',
    },
  }
}
