import { type Address, type Hex, hexToBytes } from 'viem'
import { boccMarketAbi } from '../chain/artifacts.ts'
import type { SignerConnection } from '../chain/connectChain.ts'
import { sendTransaction } from '../chain/sendTransaction.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { EnclaveClient } from './enclaveClient.ts'

/**
 * Has the enclave attest to its keys over a fresh block hash (which proves the evidence was made
 * after that block), stores the evidence, and registers the enclave on the market.
 */
export async function registerEnclave(parameters: {
  connection: SignerConnection
  market: Address
  enclave: EnclaveClient
  identity: EnclaveIdentity
  blobs: BlobStore
}): Promise<{ evidenceHash: Hex; transaction: Hex }> {
  const { connection, identity } = parameters
  const block = await connection.publicClient.getBlock({ blockTag: 'latest' })
  const freshness = block.hash as Hex
  const { evidence } = await parameters.enclave.request('attest', { freshness })
  const evidenceHash = await parameters.blobs.put(hexToBytes(evidence))
  const { hash } = await sendTransaction(connection, {
    address: parameters.market,
    abi: boccMarketAbi,
    functionName: 'registerEnclave',
    args: [identity.signer, identity.hpkePublicKey, identity.measurement, evidenceHash, freshness],
  })
  return { evidenceHash, transaction: hash }
}
