import type { Address } from 'viem'
import { marketAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

export type GetProvidersReturnType = Address[]

/** Every account that staked or offered TEE machines on the market, in order of first appearance. */
export async function getProviders(chain: BoccChain): Promise<GetProvidersReturnType> {
  const events = await chain.publicClient.getContractEvents({
    address: chain.deployment.contracts.market,
    abi: marketAbi,
    fromBlock: chain.deployment.fromBlock,
    strict: true,
  })
  const providers = events.flatMap((event) =>
    event.eventName === 'Staked' || event.eventName === 'TeeOfferCreated'
      ? [event.args.provider]
      : [],
  )
  return [...new Set(providers)]
}
