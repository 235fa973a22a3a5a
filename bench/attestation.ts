// Attestation verification time: the median of warm runs (parsed certificates, imported keys and
// verified certificate signatures are reused across runs, as in a long-lived verifier; the quote
// signature, QE report signature, JSON collateral signatures and TCB evaluation run every time).

import { readIntelCollateral } from '../src/attestation/intel/collateral.ts'
import { type VerifyEvidenceOptions, verifyEvidence } from '../src/attestation/verifyEvidence.ts'
import { signSimEvidence } from '../src/enclave/tee/signSimEvidence.ts'
import { collateralSet, evidenceVector, vector } from '../test/attestationVectors.ts'
import { medianMs } from './median.ts'

async function timeVerification(
  evidence: Uint8Array,
  options: VerifyEvidenceOptions,
): Promise<number> {
  const verdict = await verifyEvidence(evidence, options)
  if (!verdict.ok) throw new Error(`benchmark evidence does not verify: ${verdict.error}`)
  return medianMs(200, () => verifyEvidence(evidence, options))
}

/** Median warm milliseconds per verification, per kind of evidence (one core). */
export async function benchAttestation(): Promise<Record<string, number>> {
  const sim = await signSimEvidence({
    measurement: `0x${'11'.repeat(32)}`,
    reportData: `0x${'22'.repeat(64)}`,
    debug: false,
    issuedAt: new Date(),
  })
  return {
    attestation_tdx_v4_verify_ms: await timeVerification(
      evidenceVector('phala-dcap-qvl/tdx_quote'),
      {
        at: new Date('2025-06-20T00:00:00Z'),
        collateral: readIntelCollateral(collateralSet('P-TDX')),
      },
    ),
    attestation_tdx_v5_verify_ms: await timeVerification(
      evidenceVector('google-go-tdx-guest/quote_v5_sample.dat'),
      {
        at: new Date('2026-02-01T00:00:00Z'),
        collateral: readIntelCollateral(collateralSet('T-90c06f')),
      },
    ),
    attestation_sgx_v3_verify_ms: await timeVerification(
      evidenceVector('phala-dcap-qvl/sgx_quote'),
      {
        at: new Date('2025-06-20T00:00:00Z'),
        collateral: readIntelCollateral(collateralSet('P-SGX')),
      },
    ),
    attestation_sev_snp_verify_ms: await timeVerification(
      vector('tinfoil-js/sev_snp_report_genoa.bin'),
      {
        at: new Date('2026-02-01T00:00:00Z'),
        certs: [vector('tinfoil-js/vcek_genoa.der')],
      },
    ),
    attestation_nvidia_h100_verify_ms: await timeVerification(
      evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt'),
      {
        at: new Date('2026-01-01T00:00:00Z'),
        certs: [vector('nvidia-nvtrust/hopperCertChain.txt')],
      },
    ),
    attestation_sim_verify_ms: await timeVerification(sim, { at: new Date() }),
  }
}

if (import.meta.main) console.log(await benchAttestation())
