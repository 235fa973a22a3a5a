import type { Hex } from 'viem'
import { unreadableEvidenceVerdict } from '../attestation/checkList.ts'
import { type AttestationPolicy, applyPolicy } from '../attestation/policy.ts'
import type { EvidenceVerdict } from '../attestation/types.ts'
import { type VerifyEvidenceOptions, verifyEvidence } from '../attestation/verifyEvidence.ts'
import { decodeReportData, type EnclaveBinding, encodeReportData } from './reportData.ts'

export type VerifiedEnclaveEvidence = {
  /** The verdict with the policy applied, including the binding in report_data. */
  verdict: EvidenceVerdict
  /** The freshness value the evidence carries (the second half of report_data). */
  freshness: Hex
}

const noFreshness = `0x${'00'.repeat(32)}` as const

/**
 * Verifies an enclave's evidence (any kind BOCC knows) and applies the policy, requiring that
 * report_data binds exactly this enclave's keys, provider, chain and registry (report_data v2). The freshness value is returned for the caller to
 * check against its chain. Never throws for bad evidence: it fails a check.
 */
export async function verifyEnclaveEvidence(
  parameters: {
    evidence: Uint8Array
    binding: EnclaveBinding
    /** The policy, or how to make it from the (not yet judged) verdict, e.g. from an on-chain allow-list. */
    policy: AttestationPolicy | ((verdict: EvidenceVerdict) => Promise<AttestationPolicy>)
    at: Date
  } & Pick<VerifyEvidenceOptions, 'collateral' | 'certs'>,
): Promise<VerifiedEnclaveEvidence> {
  const { evidence, binding, policy, at } = parameters
  let verdict: EvidenceVerdict
  try {
    verdict = await verifyEvidence(evidence, {
      at,
      ...(parameters.collateral ? { collateral: parameters.collateral } : {}),
      ...(parameters.certs ? { certs: parameters.certs } : {}),
    })
  } catch (error) {
    verdict = unreadableEvidenceVerdict({
      tee: 'sim',
      structureCheck: 'format',
      tiers: { format: 'hardware authenticity' },
      error,
    })
  }
  let freshness: Hex = noFreshness
  try {
    freshness = decodeReportData(verdict.reportData).freshness
  } catch {
    // Evidence without 64 bytes of report data fails the binding check below.
  }
  const resolvedPolicy = typeof policy === 'function' ? await policy(verdict) : policy
  return {
    verdict: applyPolicy({
      verdict,
      policy: resolvedPolicy,
      expectedReportData: encodeReportData(binding, freshness),
      at,
    }),
    freshness,
  }
}
