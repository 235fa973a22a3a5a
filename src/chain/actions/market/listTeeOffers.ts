import type { BoccChain } from '../../boccChain.ts'
import { getTeeOffer, type TeeOffer } from './getTeeOffer.ts'
import { readMarket } from './readMarket.ts'

export type ListTeeOffersReturnType = (TeeOffer & { offerId: number })[]

/** Every TEE offer, by id. */
export async function listTeeOffers(chain: BoccChain): Promise<ListTeeOffersReturnType> {
  const count = await readMarket(chain, 'teeOfferCount', [])
  const ids = Array.from({ length: count }, (_, index) => index + 1)
  const offers = await Promise.all(ids.map((offerId) => getTeeOffer(chain, { offerId })))
  return offers.flatMap((offer, index) => (offer ? [{ ...offer, offerId: index + 1 }] : []))
}
