import { benchAttestation } from '../attestation.ts'
import type { FigureReport } from '../report.ts'

/** Warm verification per kind of evidence (bench/attestation.ts). */
export async function measureAttestation(): Promise<FigureReport> {
  const results = await benchAttestation()
  const pick = (key: string) => results[key] ?? null
  return {
    values: {
      verify_ms: {
        tdx: pick('attestation_tdx_v4_verify_ms'),
        sgx: pick('attestation_sgx_v3_verify_ms'),
        'sev-snp': pick('attestation_sev_snp_verify_ms'),
        nvidia: pick('attestation_nvidia_h100_verify_ms'),
        sim: pick('attestation_sim_verify_ms'),
      },
      verify_vs_dcap_qvl_ratio: results.verify_vs_dcap_qvl_ratio ?? null,
      verify_cold_ms: results.verify_cold_ms ?? null,
      attestation_details: results,
    },
    notes: {
      verify_ms: 'median of 200 warm verifications per kind, one core',
      ...(results.verify_vs_dcap_qvl_ratio === undefined
        ? {
            verify_vs_dcap_qvl_ratio:
              'measured by the attestation speed work of the verifiability issue, not merged yet',
          }
        : {}),
      ...(results.verify_cold_ms === undefined
        ? {
            verify_cold_ms:
              'measured by the attestation speed work of the verifiability issue, not merged yet',
          }
        : {}),
    },
  }
}
