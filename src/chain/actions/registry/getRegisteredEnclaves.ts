import type { Address, Hash } from 'viem'
import { registryAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

export type GetRegisteredEnclavesParameters = {
  /** Only the enclaves of this provider (the event indexes it). */
  provider?: Address
}

export type RegisteredEnclave = {
  enclave: Address
  provider: Address
  blockNumber: bigint
  transactionHash: Hash
}

export type GetRegisteredEnclavesReturnType = RegisteredEnclave[]

/** Every enclave registration (`EnclaveRegistered` events), oldest first. */
export async function getRegisteredEnclaves(
  chain: BoccChain,
  parameters: GetRegisteredEnclavesParameters = {},
): Promise<GetRegisteredEnclavesReturnType> {
  const events = await chain.publicClient.getContractEvents({
    address: chain.deployment.contracts.registry,
    abi: registryAbi,
    eventName: 'EnclaveRegistered',
    args: parameters.provider === undefined ? {} : { provider: parameters.provider },
    fromBlock: chain.deployment.fromBlock,
    strict: true,
  })
  return events.map((event) => ({
    enclave: event.args.enclave,
    provider: event.args.provider,
    blockNumber: event.blockNumber,
    transactionHash: event.transactionHash,
  }))
}
