import { type Address, type Hex, sha256 } from 'viem'
import { type AttestationPolicy, applyPolicy } from '../attestation/policy.ts'
import { verifySimEvidence } from '../attestation/sim/simEvidence.ts'
import type { Check, EvidenceVerdict } from '../attestation/types.ts'
import { boccMarketAbi } from '../chain/artifacts.ts'
import type { ChainConnection } from '../chain/connectChain.ts'
import { BoccError } from '../errors.ts'
import { encodeReportData } from '../protocol/reportData.ts'
import type { BlobStore } from '../storage/blobStore.ts'

export type VerifiedEnclave = {
  enclave: Address
  provider: Address
  hpkePublicKey: Hex
  measurement: Hex
  evidenceHash: Hex
  verdict: EvidenceVerdict
  /** Every check, in order; `ok` is true only if all passed. */
  checks: Check[]
  ok: boolean
}

export class EnclaveNotFoundError extends BoccError {
  override name = 'EnclaveNotFoundError'
  constructor(enclave: Address) {
    super(`enclave ${enclave} is not registered on this market`)
  }
}

/**
 * Checks an enclave from public data only: its on-chain record, its evidence from the blob store,
 * the evidence against the policy, the binding of both enclave keys and the freshness block in
 * report_data, and that the freshness block belongs to this chain.
 */
export async function verifyEnclave(parameters: {
  connection: ChainConnection
  market: Address
  enclave: Address
  blobs: BlobStore
  policy: AttestationPolicy
  at?: Date
}): Promise<VerifiedEnclave> {
  const { connection, market, enclave, blobs, policy } = parameters
  const client = connection.publicClient
  const record = await client.readContract({
    address: market,
    abi: boccMarketAbi,
    functionName: 'getEnclave',
    args: [enclave],
  })
  if (record.provider === '0x0000000000000000000000000000000000000000')
    throw new EnclaveNotFoundError(enclave)
  const [registration] = await client.getContractEvents({
    address: market,
    abi: boccMarketAbi,
    eventName: 'EnclaveRegistered',
    args: { enclave },
    fromBlock: 0n,
  })
  const freshness = registration?.args.freshness as Hex
  const checks: Check[] = [
    {
      name: 'enclave active on-chain',
      ok: record.active,
      detail: `registered by provider ${record.provider}`,
    },
  ]

  const evidence = await blobs.get(record.evidenceHash)
  checks.push({
    name: 'evidence ↔ on-chain record',
    ok: sha256(evidence) === record.evidenceHash,
    detail: `evidence ${record.evidenceHash}`,
  })
  const expectedReportData = encodeReportData(
    { signer: enclave, hpkePublicKey: record.hpkePublicKey },
    freshness,
  )
  const verdict = applyPolicy({
    verdict: await verifySimEvidence(evidence),
    policy,
    expectedReportData,
    at: parameters.at ?? new Date(),
  })
  for (const check of verdict.checks) checks.push({ ...check, name: `evidence: ${check.name}` })
  const reported = verdict.measurement.measurement
  checks.push({
    name: 'measurement ↔ on-chain record',
    ok: reported === record.measurement,
    detail: `measurement ${record.measurement}`,
  })
  let freshnessBlock: bigint | undefined
  try {
    freshnessBlock = (await client.getBlock({ blockHash: freshness })).number ?? undefined
  } catch {
    freshnessBlock = undefined
  }
  checks.push({
    name: 'freshness block is on this chain',
    ok: freshnessBlock !== undefined,
    detail:
      freshnessBlock !== undefined
        ? `evidence made after block ${freshnessBlock}`
        : `no block ${freshness}`,
  })
  return {
    enclave,
    provider: record.provider,
    hpkePublicKey: record.hpkePublicKey,
    measurement: record.measurement,
    evidenceHash: record.evidenceHash,
    verdict,
    checks,
    ok: checks.every((check) => check.ok),
  }
}
