import { createTeeOffer } from '../chain/actions/market/createTeeOffer.ts'
import { getTeeOffer } from '../chain/actions/market/getTeeOffer.ts'
import { listTeeOffers } from '../chain/actions/market/listTeeOffers.ts'
import { setTeeOfferActive } from '../chain/actions/market/setTeeOfferActive.ts'
import { updateTeeOffer } from '../chain/actions/market/updateTeeOffer.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import type { ProviderLog } from './providerEvents.ts'
import type { ProviderState } from './providerState.ts'

/**
 * The provider's TEE offer for its machine: the one recorded in the state, else one of this
 * provider's offers for this hardware (created by a run that stopped before recording it), else
 * a new one; its price and capacity are set to the configuration's and it is made active.
 * Returns its id; orders are looked for from the block it was created in.
 */
export async function ensureTeeOffer(parameters: {
  chain: BoccSigner
  state: ProviderState
  log: ProviderLog
  hardware: number
  price: bigint
  capacity: number
}): Promise<number> {
  const { chain, state, log, price, capacity } = parameters
  const provider = chain.account.address.toLowerCase()
  let offerId = state.offerId()
  if (offerId === undefined) {
    const adopted = (await listTeeOffers(chain))
      .filter(
        (offer) =>
          offer.provider.toLowerCase() === provider && offer.hardware === parameters.hardware,
      )
      .pop()
    if (adopted) {
      offerId = adopted.offerId
      state.setOfferId(offerId, chain.deployment.fromBlock)
    } else {
      const created = await createTeeOffer(chain, {
        hardware: parameters.hardware,
        price,
        capacity,
      })
      state.setOfferId(created.offerId, created.blockNumber)
      log({ event: 'offer-created', offerId: created.offerId, price: String(price), capacity })
      return created.offerId
    }
  }
  const offer = await getTeeOffer(chain, { offerId })
  if (offer && (offer.price !== price || offer.capacity !== capacity)) {
    await updateTeeOffer(chain, { offerId, price, capacity })
    log({ event: 'offer-updated', offerId, price: String(price), capacity })
  }
  if (offer && !offer.active) await setTeeOfferActive(chain, { offerId, active: true })
  return offerId
}
