import { type Address, type Hex, sha256 } from 'viem'
import { type Check, checkOf, checksPassed } from '../attestation/checks.ts'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { EvidenceVerdict } from '../attestation/types.ts'
import { boccProtocolAbi } from '../chain/artifacts.ts'
import type { ChainConnection } from '../chain/connectChain.ts'
import { BoccError } from '../errors.ts'
import { hardwareOf } from '../protocol/enclaveApproval.ts'
import { runtimeMeasurementOf } from '../protocol/runtimeMeasurement.ts'
import { verifyEnclaveEvidence } from '../protocol/verifyEnclaveEvidence.ts'
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
    super(`enclave ${enclave} is not registered`)
  }
}

/**
 * Checks an enclave from public data only, whatever the committee said: its on-chain record, its
 * evidence from the blob store against this customer's policy and the on-chain allow-list, the
 * binding of both enclave keys and a block of this chain in report_data.
 */
export async function verifyEnclave(parameters: {
  connection: ChainConnection
  protocol: Address
  enclave: Address
  blobs: BlobStore
  policy: AttestationPolicy
  at?: Date
}): Promise<VerifiedEnclave> {
  const { connection, protocol, enclave, blobs, policy } = parameters
  const client = connection.publicClient
  const contract = { address: protocol, abi: boccProtocolAbi } as const
  const record = await client.readContract({
    ...contract,
    functionName: 'getEnclave',
    args: [enclave],
  })
  if (record.provider === '0x0000000000000000000000000000000000000000')
    throw new EnclaveNotFoundError(enclave)
  const checks: Check[] = []
  const check = (name: string, ok: boolean, detail: string) =>
    checks.push(checkOf(name, ok, detail, 'order'))
  check(
    'enclave active on-chain',
    await client.readContract({ ...contract, functionName: 'isEnclaveActive', args: [enclave] }),
    `provider ${record.provider}, approved by the committee, valid until ${new Date(record.expiresAt * 1000).toISOString()}`,
  )

  const evidence = await blobs.get(record.evidenceHash)
  check(
    'evidence ↔ on-chain record',
    sha256(evidence) === record.evidenceHash,
    `evidence ${record.evidenceHash}`,
  )
  const { verdict: judged, freshness } = await verifyEnclaveEvidence({
    evidence,
    binding: {
      chainId: connection.chain.id,
      registry: protocol,
      provider: record.provider,
      signer: enclave,
      hpkePublicKey: record.hpkePublicKey,
    },
    policy,
    at: parameters.at ?? new Date(),
  })
  for (const item of judged.checks) checks.push({ ...item, name: `evidence: ${item.name}` })
  const measurement = runtimeMeasurementOf(judged)
  check(
    'measurement ↔ on-chain record',
    measurement === record.measurement,
    `measurement ${record.measurement}`,
  )
  check(
    'measurement on the on-chain allow-list',
    await client.readContract({
      ...contract,
      functionName: 'isMeasurementAllowed',
      args: [record.measurement],
    }),
    'listed in the transparency log and in effect',
  )
  check('hardware ↔ on-chain record', hardwareOf(judged.tee) === record.hardware, `${judged.tee}`)
  let freshnessBlock: bigint | undefined
  try {
    freshnessBlock = (await client.getBlock({ blockHash: freshness })).number ?? undefined
  } catch {
    freshnessBlock = undefined
  }
  check(
    'freshness block is on this chain',
    freshnessBlock !== undefined,
    freshnessBlock !== undefined
      ? `evidence made after block ${freshnessBlock}`
      : `no block ${freshness}`,
  )
  return {
    enclave,
    provider: record.provider,
    hpkePublicKey: record.hpkePublicKey,
    measurement: record.measurement,
    evidenceHash: record.evidenceHash,
    verdict: judged,
    checks,
    ok: checksPassed(checks),
  }
}
