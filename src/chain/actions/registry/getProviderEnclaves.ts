import type { Address } from 'viem'
import { registryAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

export type GetProviderEnclavesParameters = { provider: Address }

/** The enclaves a provider registered (its `EnclaveRegistered` events), newest first. */
export async function getProviderEnclaves(
  chain: BoccChain,
  parameters: GetProviderEnclavesParameters,
): Promise<Address[]> {
  const events = await chain.publicClient.getContractEvents({
    address: chain.deployment.contracts.registry,
    abi: registryAbi,
    eventName: 'EnclaveRegistered',
    args: { provider: parameters.provider },
    fromBlock: chain.deployment.fromBlock,
    strict: true,
  })
  return [...new Set(events.map((event) => event.args.enclave))].reverse()
}
