import { type Address, type Hex, hexToBytes } from 'viem'
import { boccProtocolAbi } from '../chain/artifacts.ts'
import type { SignerConnection } from '../chain/connectChain.ts'
import { sendTransaction } from '../chain/sendTransaction.ts'
import { type EnclaveRegistration, hardwareOf } from '../protocol/enclaveApproval.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { EnclaveClient } from './enclaveClient.ts'
import { requestApprovals } from './requestApprovals.ts'

/**
 * Has the enclave attest to its keys over a fresh block hash (which proves the evidence was made
 * after that block), stores the evidence, gets the committee's approvals and registers the enclave.
 */
export async function registerEnclave(parameters: {
  connection: SignerConnection
  protocol: Address
  enclave: EnclaveClient
  identity: EnclaveIdentity
  blobs: BlobStore
  committeeUrls: string[]
  /** How long the registration stays valid. */
  validitySeconds?: number
}): Promise<{ registration: EnclaveRegistration; transaction: Hex }> {
  const { connection, identity, protocol } = parameters
  const client = connection.publicClient
  const block = await client.getBlock({ blockTag: 'latest' })
  const { evidence } = await parameters.enclave.request('attest', {
    freshness: block.hash as Hex,
    chainId: connection.chain.id,
    registry: protocol,
    provider: connection.account.address,
  })
  const evidenceBytes = hexToBytes(evidence)
  const registration: EnclaveRegistration = {
    enclave: identity.signer,
    provider: connection.account.address,
    hardware: hardwareOf(identity.tee),
    expiresAt: Number(block.timestamp) + (parameters.validitySeconds ?? 7 * 86_400),
    measurement: identity.measurement,
    hpkePublicKey: identity.hpkePublicKey,
    evidenceHash: await parameters.blobs.put(evidenceBytes),
  }
  const threshold = await client.readContract({
    address: protocol,
    abi: boccProtocolAbi,
    functionName: 'committeeThreshold',
  })
  const approvals = await requestApprovals({
    committeeUrls: parameters.committeeUrls,
    registration,
    evidence: evidenceBytes,
    threshold,
  })
  const { hash } = await sendTransaction(connection, {
    address: protocol,
    abi: boccProtocolAbi,
    functionName: 'registerEnclave',
    args: [registration, approvals],
  })
  return { registration, transaction: hash }
}
