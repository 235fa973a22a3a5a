import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type UpdateTeeOfferParameters = { offerId: number; price: bigint; capacity: number }

export type UpdateTeeOfferReturnType = WriteContractAndWaitReturnType

/** Sets a new price and capacity (a new version) of the caller's TEE offer. */
export function updateTeeOffer(
  chain: BoccSigner,
  parameters: UpdateTeeOfferParameters,
): Promise<UpdateTeeOfferReturnType> {
  return writeMarket(chain, 'updateTeeOffer', [
    parameters.offerId,
    parameters.price,
    parameters.capacity,
  ])
}
