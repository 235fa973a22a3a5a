import { type Hex, sha256 } from 'viem'
import { unreadableEvidenceVerdict } from '../attestation/checkList.ts'
import { type Check, checkOf } from '../attestation/checks.ts'
import { type AttestationPolicy, applyPolicy } from '../attestation/policy.ts'
import type { EvidenceVerdict } from '../attestation/types.ts'
import { type VerifyEvidenceOptions, verifyEvidence } from '../attestation/verifyEvidence.ts'
import {
  decodeReportData,
  type EnclaveBinding,
  encodeReportData,
  gpuNonceOf,
} from './reportData.ts'

export type VerifiedEnclaveEvidence = {
  /** The verdict with the policy applied, including the binding in report_data (and the GPU's). */
  verdict: EvidenceVerdict
  /** The freshness value the evidence carries (the second half of report_data). */
  freshness: Hex
  /** The GPU evidence's own verdict, when GPU evidence was given. */
  gpuVerdict?: EvidenceVerdict
}

const noFreshness = `0x${'00'.repeat(32)}` as const
const noGpuEvidence = `0x${'00'.repeat(32)}` as const

/** The enclave's confidential GPU: its SPDM evidence and what verifying it needs. */
export type EnclaveGpuEvidence = {
  /** The GPU's SPDM GET_MEASUREMENTS request and signed response, as the enclave obtained them. */
  evidence: Uint8Array
  /** The GPU's certificate chain, RIMs and OCSP responses (what `verifyEvidence` takes as `certs`). */
  certs?: Uint8Array[]
}

/**
 * Verifies an enclave's evidence (any kind BOCC knows) and applies the policy, requiring that
 * report_data binds exactly this enclave's keys, provider, chain and registry (report_data v2). The freshness value is returned for the caller to
 * check against its chain. Never throws for bad evidence: it fails a check.
 *
 * With GPU evidence, the CPU and GPU are bound both ways (docs/protocol.md, report_data v2): the
 * CPU's report_data names SHA-256 of exactly this GPU evidence, and the GPU signed the nonce
 * derived from this enclave's keys and freshness (`gpuNonceOf`), so neither can be paired with
 * another enclave's. The GPU evidence itself must verify (signature, chain to NVIDIA's root).
 */
export async function verifyEnclaveEvidence(
  parameters: {
    evidence: Uint8Array
    binding: EnclaveBinding
    /** The policy, or how to make it from the (not yet judged) verdict, e.g. from an on-chain allow-list. */
    policy: AttestationPolicy | ((verdict: EvidenceVerdict) => Promise<AttestationPolicy>)
    at: Date
    /** The enclave's GPU evidence, when it has a confidential GPU. */
    gpu?: EnclaveGpuEvidence
  } & Pick<VerifyEvidenceOptions, 'collateral' | 'certs' | 'eventLog'>,
): Promise<VerifiedEnclaveEvidence> {
  const { evidence, policy, at, gpu } = parameters
  let verdict: EvidenceVerdict
  try {
    verdict = await verifyEvidence(evidence, {
      at,
      ...(parameters.collateral ? { collateral: parameters.collateral } : {}),
      ...(parameters.certs ? { certs: parameters.certs } : {}),
      ...(parameters.eventLog ? { eventLog: parameters.eventLog } : {}),
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
  const gpuEvidenceHash = gpu ? sha256(gpu.evidence) : undefined
  const binding = { ...parameters.binding, ...(gpuEvidenceHash ? { gpuEvidenceHash } : {}) }
  const resolvedPolicy = typeof policy === 'function' ? await policy(verdict) : policy
  const gpuChecks: Check[] = [bindingOfGpu(parameters.binding, gpuEvidenceHash)]
  let gpuVerdict: EvidenceVerdict | undefined
  if (gpu) {
    gpuVerdict = await verifyGpu(
      gpu,
      at,
      gpuNonceOf({ ...binding, freshness }),
      resolvedPolicy.nvidiaRoots,
    )
    gpuChecks.push(
      ...gpuVerdict.checks.map((check) => ({
        ...check,
        name: `gpu: ${check.name.replace(/^gpu /, '')}`,
        tier: 'gpu' as const,
      })),
    )
  }
  const judged = applyPolicy({
    verdict,
    policy: resolvedPolicy,
    expectedReportData: encodeReportData(binding, freshness),
    at,
  })
  const gpuFailed = gpuChecks.find(
    (check) => check.status === 'failed' || check.status === 'not-run',
  )
  return {
    verdict: {
      ...judged,
      ok: judged.ok && gpuFailed === undefined,
      checks: [...judged.checks, ...gpuChecks],
      ...(judged.error === undefined && gpuFailed
        ? { error: `${gpuFailed.name}: ${gpuFailed.explanation}` }
        : {}),
    },
    freshness,
    ...(gpuVerdict ? { gpuVerdict } : {}),
  }
}

/**
 * The CPU side of the binding: the GPU evidence hash the caller expects (e.g. from the on-chain
 * record) must be that of the evidence given; report_data itself is checked by the policy's
 * report_data binding, computed with this hash.
 */
function bindingOfGpu(expected: EnclaveBinding, given: Hex | undefined): Check {
  const recorded = (expected.gpuEvidenceHash ?? noGpuEvidence).toLowerCase()
  if (given === undefined)
    return recorded === noGpuEvidence
      ? {
          name: 'cpu-gpu binding',
          status: 'not-applicable',
          explanation: 'no GPU evidence: the enclave claims no confidential GPU (zero GPU hash)',
          tier: 'gpu',
        }
      : checkOf(
          'cpu-gpu binding',
          false,
          `the enclave names GPU evidence ${recorded.slice(0, 18)}…, but none was given`,
          'gpu',
        )
  const matches = recorded === noGpuEvidence || recorded === given
  return checkOf(
    'cpu-gpu binding',
    matches,
    matches
      ? `report_data must name SHA-256 of this GPU evidence (${given.slice(0, 18)}…): see the report_data binding`
      : `the enclave names GPU evidence ${recorded.slice(0, 18)}…, not the ${given.slice(0, 18)}… given`,
    'gpu',
  )
}

async function verifyGpu(
  gpu: EnclaveGpuEvidence,
  at: Date,
  nonce: Hex,
  nvidiaRoots: AttestationPolicy['nvidiaRoots'],
): Promise<EvidenceVerdict> {
  try {
    const verdict = await verifyEvidence(gpu.evidence, {
      at,
      certs: gpu.certs ?? [],
      expectedGpuNonce: nonce,
      ...(nvidiaRoots ? { nvidiaRoots } : {}),
    })
    if (verdict.tee !== 'nvidia-cc')
      return unreadableEvidenceVerdict({
        tee: 'nvidia-cc',
        structureCheck: 'evidence structure',
        tiers: { 'evidence structure': 'gpu' },
        error: `the GPU evidence is ${verdict.tee} evidence, not an NVIDIA GPU's`,
      })
    return verdict
  } catch (error) {
    return unreadableEvidenceVerdict({
      tee: 'nvidia-cc',
      structureCheck: 'evidence structure',
      tiers: { 'evidence structure': 'gpu' },
      error,
    })
  }
}
