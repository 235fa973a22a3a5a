import { vectorsMissing } from '../../test/attestationVectors.ts'
import {
  type AttestationBench,
  type AttestationBenchSize,
  attestationBenchSizes,
  benchAttestation,
} from '../attestation.ts'
import type { FigureContext, FigureReport } from '../report.ts'
import type { Summary } from '../summary.ts'

/** Warm verification per kind of evidence, against dcap-qvl, and cold (bench/attestation.ts). */
export async function measureAttestation(context: FigureContext): Promise<FigureReport> {
  // Without the real-hardware vectors there is nothing honest to time.
  const missing = vectorsMissing
  if (missing) {
    const keys = ['verify_ms', 'verify_vs_dcap_qvl_ratio', 'verify_cold_ms']
    return {
      values: Object.fromEntries(keys.map((key) => [key, null])),
      notes: Object.fromEntries(keys.map((key) => [key, missing])),
    }
  }
  const size = attestationBenchSizes[context.mode]
  return attestationReport(await benchAttestation(size), size)
}

/** The figures under their keys in latest.json, each with its spread. */
function attestationReport(measured: AttestationBench, size: AttestationBenchSize): FigureReport {
  const medians = (summaries: Record<string, Summary>) =>
    Object.fromEntries(Object.entries(summaries).map(([kind, summary]) => [kind, summary.median]))
  const single = {
    verify_vs_dcap_qvl_ratio: measured.vsDcapQvlRatio,
    dcap_qvl_verify_ms: measured.dcapQvlVerifyMs,
    verify_cold_ms: measured.verifyColdMs,
    dcap_qvl_cold_ms: measured.dcapQvlColdMs,
  }
  return {
    values: { verify_ms: medians(measured.verifyMs), ...medians(single) },
    summaries: {
      ...Object.fromEntries(
        Object.entries(measured.verifyMs).map(([kind, summary]) => [`verify_ms.${kind}`, summary]),
      ),
      ...single,
    },
    notes: {
      verify_ms: `median of ${size.warmRuns} warm verifications per kind, one core (bench/attestation.ts)`,
      verify_vs_dcap_qvl_ratio:
        'warm TDX verification ÷ @phala/dcap-qvl on the same quote and collateral, interleaved',
      dcap_qvl_verify_ms: '@phala/dcap-qvl’s warm TDX verification in the rounds of the ratio',
      verify_cold_ms: 'a fresh process: import plus the first TDX verification',
      dcap_qvl_cold_ms:
        'a fresh process: import of @phala/dcap-qvl plus its first TDX verification',
    },
  }
}
