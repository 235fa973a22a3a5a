import type { Address } from 'viem'
import { getProviders } from '../../chain/actions/market/getProviders.ts'
import { type GetStakeReturnType, getStake } from '../../chain/actions/market/getStake.ts'
import type { ListTeeOffersReturnType } from '../../chain/actions/market/listTeeOffers.ts'
import { listTeeOffers } from '../../chain/actions/market/listTeeOffers.ts'
import { getRegisteredEnclaves } from '../../chain/actions/registry/getRegisteredEnclaves.ts'
import type { BoccChain } from '../../chain/boccChain.ts'

export type ProviderSummary = {
  provider: Address
  stake: GetStakeReturnType
  teeOffers: ListTeeOffersReturnType
  enclaves: Address[]
}

/** Every provider with its stake, TEE offers and enclaves. */
export async function loadProviders(chain: BoccChain): Promise<ProviderSummary[]> {
  const [providers, offers, enclaves] = await Promise.all([
    getProviders(chain),
    listTeeOffers(chain),
    getRegisteredEnclaves(chain),
  ])
  const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase()
  return Promise.all(
    providers.map(async (provider) => ({
      provider,
      stake: await getStake(chain, { provider }),
      teeOffers: offers.filter((offer) => same(offer.provider, provider)),
      enclaves: enclaves.filter((entry) => same(entry.provider, provider)).map((e) => e.enclave),
    })),
  )
}
