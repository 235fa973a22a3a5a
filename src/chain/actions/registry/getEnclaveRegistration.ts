import type { Address, Hash } from 'viem'
import { registryAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

export type EnclaveRegistrationEvent = {
  blockNumber: bigint
  /** The registration block's time (Unix seconds). */
  timestamp: bigint
  transactionHash: Hash
}

/** When an enclave was registered (its `EnclaveRegistered` event), or undefined if it never was. */
export async function getEnclaveRegistration(
  chain: BoccChain,
  parameters: { enclave: Address },
): Promise<EnclaveRegistrationEvent | undefined> {
  const [event] = await chain.publicClient.getContractEvents({
    address: chain.deployment.contracts.registry,
    abi: registryAbi,
    eventName: 'EnclaveRegistered',
    args: { enclave: parameters.enclave },
    fromBlock: chain.deployment.fromBlock,
    strict: true,
  })
  if (!event) return undefined
  const block = await chain.publicClient.getBlock({ blockNumber: event.blockNumber })
  return {
    blockNumber: event.blockNumber,
    timestamp: block.timestamp,
    transactionHash: event.transactionHash,
  }
}
