import { type Address, type Hex, sha256 } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { applyPolicy } from '../attestation/policy.ts'
import { verifySimEvidence } from '../attestation/sim/simEvidence.ts'
import type { Check } from '../attestation/types.ts'
import { boccProtocolAbi } from '../chain/artifacts.ts'
import type { ChainConnection } from '../chain/connectChain.ts'
import { BoccError } from '../errors.ts'
import {
  type EnclaveRegistration,
  enclaveApprovalTypes,
  hardwareOf,
} from '../protocol/enclaveApproval.ts'
import { protocolDomain } from '../protocol/receipt.ts'
import { decodeReportData, encodeReportData } from '../protocol/reportData.ts'

export class ApprovalRefusedError extends BoccError {
  override name = 'ApprovalRefusedError'
  readonly checks: Check[]
  constructor(failed: Check, checks: Check[]) {
    super(`approval refused: ${failed.name}: ${failed.detail}`)
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
 * allow-list and its policy, check that report_data binds exactly the registration's keys and a
 * recent block of this chain, and that every other field matches the evidence. Fails closed.
 */
export async function approveEnclave(
  parameters: ApproveEnclaveParameters,
): Promise<{ signature: Hex; checks: Check[] }> {
  const { connection, protocol, registration, evidence } = parameters
  const at = parameters.at ?? new Date()
  const client = connection.publicClient
  const checks: Check[] = []
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail })

  check(
    'evidence hash',
    sha256(evidence) === registration.evidenceHash,
    `evidence ${registration.evidenceHash}`,
  )
  const verdict = await verifySimEvidence(evidence)
  const measurement = verdict.measurement.measurement ?? '0x'
  const allowedOnChain =
    verdict.ok &&
    (await client.readContract({
      address: protocol,
      abi: boccProtocolAbi,
      functionName: 'isMeasurementAllowed',
      args: [measurement as Hex],
    }))
  let freshness: Hex = `0x${'00'.repeat(32)}`
  try {
    freshness = decodeReportData(verdict.reportData).freshness
  } catch {
    // A verdict without 64 bytes of report data fails the binding check below.
  }
  const judged = applyPolicy({
    verdict,
    policy: {
      allowSim: parameters.allowSim,
      allowedMeasurements: allowedOnChain ? [measurement as Hex] : [],
    },
    expectedReportData: encodeReportData(
      { signer: registration.enclave, hpkePublicKey: registration.hpkePublicKey },
      freshness,
    ),
    at,
  })
  for (const item of judged.checks) check(`evidence: ${item.name}`, item.ok, item.detail)
  check(
    'measurement matches the evidence',
    measurement === registration.measurement,
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

  const failed = checks.find((item) => !item.ok)
  if (failed) throw new ApprovalRefusedError(failed, checks)
  const signature = await parameters.member.signTypedData({
    domain: protocolDomain(connection.chain.id, protocol),
    types: enclaveApprovalTypes,
    primaryType: 'EnclaveApproval',
    message: registration,
  })
  return { signature, checks }
}
