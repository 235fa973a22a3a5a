import type { BoccChain } from '../../boccChain.ts'
import { type DataOffer, getDataOffer } from './getDataOffer.ts'
import { getSolutionOffer, type SolutionOffer } from './getSolutionOffer.ts'
import { readCatalog } from './readCatalog.ts'

export type ListCatalogOffersReturnType = {
  solutions: (SolutionOffer & { offerId: number })[]
  data: (DataOffer & { offerId: number })[]
}

/** Every solution and data offer, by id. */
export async function listCatalogOffers(chain: BoccChain): Promise<ListCatalogOffersReturnType> {
  const [solutionCount, dataCount] = await Promise.all([
    readCatalog(chain, 'solutionOfferCount', []),
    readCatalog(chain, 'dataOfferCount', []),
  ])
  const ids = (count: number) => Array.from({ length: count }, (_, index) => index + 1)
  const [solutions, data] = await Promise.all([
    Promise.all(ids(solutionCount).map((offerId) => getSolutionOffer(chain, { offerId }))),
    Promise.all(ids(dataCount).map((offerId) => getDataOffer(chain, { offerId }))),
  ])
  return {
    solutions: solutions.flatMap((offer, index) =>
      offer ? [{ ...offer, offerId: index + 1 }] : [],
    ),
    data: data.flatMap((offer, index) => (offer ? [{ ...offer, offerId: index + 1 }] : [])),
  }
}
