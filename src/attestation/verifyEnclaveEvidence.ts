import type { Hex } from 'viem'
import { decodeReportData, type EnclaveKeys, encodeReportData } from '../protocol/reportData.ts'
import { unreadableEvidenceVerdict } from './checks.ts'
import { type AttestationPolicy, applyPolicy } from './policy.ts'
import type { EvidenceVerdict } from './types.ts'
import { type VerifyEvidenceOptions, verifyEvidence } from './verifyEvidence.ts'

export type VerifiedEnclaveEvidence = {
  /** The verdict with the policy applied, including the binding of `keys` in report_data. */
  verdict: EvidenceVerdict
  /** The freshness value the evidence carries (the second half of report_data). */
  freshness: Hex
}

const noFreshness = `0x${'00'.repeat(32)}` as const

/**
 * Verifies an enclave's evidence (any kind BOCC knows) and applies the policy, requiring that
 * report_data binds exactly these enclave keys. The freshness value is returned for the caller to
 * check against its chain. Never throws for bad evidence: it fails a check.
 */
export async function verifyEnclaveEvidence(
  parameters: {
    evidence: Uint8Array
    keys: EnclaveKeys
    /** The policy, or how to make it from the (not yet judged) verdict, e.g. from an on-chain allow-list. */
    policy: AttestationPolicy | ((verdict: EvidenceVerdict) => Promise<AttestationPolicy>)
    at: Date
  } & Pick<VerifyEvidenceOptions, 'collateral' | 'certs'>,
): Promise<VerifiedEnclaveEvidence> {
  const { evidence, keys, policy, at } = parameters
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
      laterChecks: [],
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
      expectedReportData: encodeReportData(keys, freshness),
      at,
    }),
    freshness,
  }
}
