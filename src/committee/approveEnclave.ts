import { type Address, type Hex, sha256 } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { type Check, checkOf } from '../attestation/checks.ts'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { EvidenceVerdict } from '../attestation/types.ts'
import { boccProtocolAbi } from '../chain/artifacts.ts'
import type { ChainConnection } from '../chain/connectChain.ts'
import { BoccError } from '../errors.ts'
import {
  type EnclaveRegistration,
  enclaveApprovalTypes,
  hardwareOf,
} from '../protocol/enclaveApproval.ts'
import { protocolDomain } from '../protocol/receipt.ts'
import { runtimeIdentityFields, runtimeMeasurementOf } from '../protocol/runtimeMeasurement.ts'
import { verifyEnclaveEvidence } from '../protocol/verifyEnclaveEvidence.ts'

export class ApprovalRefusedError extends BoccError {
  override name = 'ApprovalRefusedError'
  readonly checks: Check[]
  constructor(failed: Check, checks: Check[]) {
    super(`approval refused: ${failed.name}: ${failed.explanation}`)
    this.checks = checks
  }
}

export type ApproveEnclaveParameters = {
  connection: ChainConnection
  protocol: Address
  /** The committee member's key. */
  member: LocalAccount
  registration: EnclaveRegistration
  evidence: Uint8Array
  /** Accept simulated TEE evidence (development committees only). */
  allowSim: boolean
  /** Oldest acceptable freshness block. */
  maxFreshnessAgeSeconds?: number
  /** Longest registration validity a member signs. */
  maxValiditySeconds?: number
  at?: Date
}

/**
 * What a committee member does before it signs: verify the evidence against the on-chain
 * allow-list and its policy, check that report_data binds exactly the registration's keys, its
 * provider, this chain and registry, and a recent block of this chain, and that every other field matches the evidence. Fails closed.
 */
export async function approveEnclave(
  parameters: ApproveEnclaveParameters,
): Promise<{ signature: Hex; checks: Check[] }> {
  const { connection, protocol, registration, evidence } = parameters
  const at = parameters.at ?? new Date()
  const client = connection.publicClient
  const checks: Check[] = []
  const check = (name: string, ok: boolean, detail: string) =>
    checks.push(checkOf(name, ok, detail, 'order'))

  check(
    'evidence hash',
    sha256(evidence) === registration.evidenceHash,
    `evidence ${registration.evidenceHash}`,
  )
  // The committee accepts the runtimes the chain's allow-list accepts, nothing else.
  const onChainPolicy = async (verdict: EvidenceVerdict): Promise<AttestationPolicy> => {
    const measurement = runtimeMeasurementOf(verdict)
    const allowed =
      verdict.ok &&
      measurement !== undefined &&
      (await client.readContract({
        address: protocol,
        abi: boccProtocolAbi,
        functionName: 'isMeasurementAllowed',
        args: [measurement],
      }))
    const identity = Object.fromEntries(
      runtimeIdentityFields[verdict.tee].map((field) => [field, verdict.measurement[field] as Hex]),
    )
    return {
      allowSim: parameters.allowSim,
      allowedMeasurements: [],
      allowedMeasurementSets: allowed ? [identity] : [],
    }
  }
  const { verdict, freshness } = await verifyEnclaveEvidence({
    evidence,
    binding: {
      chainId: connection.chain.id,
      registry: protocol,
      provider: registration.provider,
      signer: registration.enclave,
      hpkePublicKey: registration.hpkePublicKey,
    },
    policy: onChainPolicy,
    at,
  })
  for (const item of verdict.checks) checks.push({ ...item, name: `evidence: ${item.name}` })
  check(
    'measurement matches the evidence',
    runtimeMeasurementOf(verdict) === registration.measurement.toLowerCase(),
    `measurement ${registration.measurement}`,
  )
  check(
    'hardware matches the evidence',
    hardwareOf(verdict.tee) === registration.hardware,
    `${verdict.tee}`,
  )

  // Ages and validity are measured in the chain's time, which is what the contract uses.
  const chainNow = Number((await client.getBlock({ blockTag: 'latest' })).timestamp)
  let blockTime: bigint | undefined
  try {
    blockTime = (await client.getBlock({ blockHash: freshness })).timestamp
  } catch {
    blockTime = undefined
  }
  const age = blockTime === undefined ? undefined : chainNow - Number(blockTime)
  const maxAge = parameters.maxFreshnessAgeSeconds ?? 600
  check(
    'freshness block is recent and on this chain',
    age !== undefined && age <= maxAge,
    age === undefined
      ? `no block ${freshness} on this chain`
      : `block is ${age} s old (limit ${maxAge} s)`,
  )
  const validity = registration.expiresAt - chainNow
  const maxValidity = parameters.maxValiditySeconds ?? 30 * 86_400
  check(
    'validity',
    validity > 0 && validity <= maxValidity,
    `${validity} s (limit ${maxValidity} s)`,
  )

  const failed = checks.find((item) => item.status !== 'passed' && item.status !== 'not-applicable')
  if (failed) throw new ApprovalRefusedError(failed, checks)
  const signature = await parameters.member.signTypedData({
    domain: protocolDomain(connection.chain.id, protocol),
    types: enclaveApprovalTypes,
    primaryType: 'EnclaveApproval',
    message: registration,
  })
  return { signature, checks }
}
