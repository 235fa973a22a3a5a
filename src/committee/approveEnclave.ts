import type { Hex } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { type Check, checkOf } from '../attestation/checks.ts'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { EvidenceVerdict } from '../attestation/types.ts'
import { getCommittee } from '../chain/actions/registry/getCommittee.ts'
import { isMeasurementAllowed } from '../chain/actions/registry/isMeasurementAllowed.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { getFreshnessBlock } from '../chain/getFreshnessBlock.ts'
import { BoccError, shortMessageOf } from '../errors.ts'
import { checkEnclaveRecord } from '../protocol/checkEnclaveRecord.ts'
import {
  type EnclaveRegistration,
  enclaveApprovalTypes,
  registryDomain,
} from '../protocol/enclaveApproval.ts'
import {
  type GpuEvidenceBlobs,
  readEnclaveGpuEvidence,
} from '../protocol/readEnclaveGpuEvidence.ts'
import { runtimeIdentityFields, runtimeMeasurementOf } from '../protocol/runtimeMeasurement.ts'
import {
  type EnclaveGpuEvidence,
  verifyEnclaveEvidence,
} from '../protocol/verifyEnclaveEvidence.ts'

export class ApprovalRefusedError extends BoccError {
  override name = 'ApprovalRefusedError'
  readonly checks: Check[]
  constructor(failed: Check, checks: Check[]) {
    super(`approval refused: ${failed.name}: ${failed.explanation}`)
    this.checks = checks
  }
}

export type ApproveEnclaveParameters = {
  /** The committee member's key. */
  member: LocalAccount
  registration: EnclaveRegistration
  evidence: Uint8Array
  /** Accept simulated TEE evidence (development committees only). */
  allowSim: boolean
  /**
   * Where the GPU evidence and collateral bundle a registration names are read from. Without it,
   * a registration that names GPU evidence is refused.
   */
  blobs?: GpuEvidenceBlobs
  /** Stand-in NVIDIA roots in place of the pinned ones (test networks only; see the policy). */
  nvidiaRoots?: AttestationPolicy['nvidiaRoots']
  /** Oldest acceptable freshness block. */
  maxFreshnessAgeSeconds?: number
  /** Longest registration validity a member signs. */
  maxValiditySeconds?: number
  at?: Date
}

/**
 * What a committee member does before it signs: verify the evidence against the on-chain
 * allow-list and its policy, check that report_data binds exactly the registration's keys, its
 * provider, this chain and registry, and a recent block of this chain, and that every other
 * field matches the evidence. Fails closed. Signs for the current committee epoch.
 */
export async function approveEnclave(
  chain: BoccChain,
  parameters: ApproveEnclaveParameters,
): Promise<{ signature: Hex; checks: Check[]; committeeEpoch: bigint }> {
  const { registration, evidence } = parameters
  const at = parameters.at ?? new Date()
  // The committee accepts the runtimes the chain's allow-list accepts, nothing else.
  const onChainPolicy = async (verdict: EvidenceVerdict): Promise<AttestationPolicy> => {
    const measurement = runtimeMeasurementOf(verdict)
    const allowed =
      verdict.ok &&
      measurement !== undefined &&
      (await isMeasurementAllowed(chain, { measurement }))
    const identity = Object.fromEntries(
      runtimeIdentityFields[verdict.tee].map((field) => [field, verdict.measurement[field] as Hex]),
    )
    return {
      allowSim: parameters.allowSim,
      allowedMeasurements: [],
      allowedMeasurementSets: allowed ? [identity] : [],
      ...(parameters.nvidiaRoots ? { nvidiaRoots: parameters.nvidiaRoots } : {}),
    }
  }
  // The GPU's evidence and collateral come from the blob store, by the registration's hashes.
  let gpu: EnclaveGpuEvidence | undefined
  try {
    gpu = parameters.blobs
      ? await readEnclaveGpuEvidence(parameters.blobs, registration)
      : undefined
  } catch (error) {
    const unavailable = checkOf('gpu evidence available', false, shortMessageOf(error), 'gpu')
    throw new ApprovalRefusedError(unavailable, [unavailable])
  }
  const { verdict, freshness } = await verifyEnclaveEvidence({
    evidence,
    binding: {
      chainId: chain.chain.id,
      registry: chain.deployment.contracts.registry,
      provider: registration.provider,
      signer: registration.enclave,
      hpkePublicKey: registration.hpkePublicKey,
      gpuEvidenceHash: registration.gpuEvidenceHash,
    },
    policy: onChainPolicy,
    at,
    ...(gpu ? { gpu } : {}),
  })
  const checks: Check[] = verdict.checks.map((item) => ({
    ...item,
    name: `evidence: ${item.name}`,
  }))
  // Ages and validity are measured in the chain's time, which is what the contract uses.
  const chainNow = Number((await chain.publicClient.getBlock({ blockTag: 'latest' })).timestamp)
  checks.push(
    ...checkEnclaveRecord({
      claim: registration,
      evidence,
      verdict,
      freshness,
      freshnessBlock: await getFreshnessBlock(chain, freshness),
      maxFreshnessAgeSeconds: parameters.maxFreshnessAgeSeconds ?? 600,
      now: chainNow,
    }),
  )
  const validity = registration.expiresAt - chainNow
  const maxValidity = parameters.maxValiditySeconds ?? 30 * 86_400
  checks.push(
    checkOf(
      'validity',
      validity > 0 && validity <= maxValidity,
      `${validity} s (limit ${maxValidity} s)`,
      'order',
    ),
  )

  // Fails closed: a check that failed or did not run refuses the approval.
  const failed = checks.find((item) => item.status !== 'passed' && item.status !== 'not-applicable')
  if (failed) throw new ApprovalRefusedError(failed, checks)
  const { epoch } = await getCommittee(chain)
  const signature = await parameters.member.signTypedData({
    domain: registryDomain(chain.chain.id, chain.deployment.contracts.registry),
    types: enclaveApprovalTypes,
    primaryType: 'EnclaveApproval',
    message: { ...registration, committeeEpoch: epoch },
  })
  return { signature, checks, committeeEpoch: epoch }
}
