import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type SetTeeOfferActiveParameters = { offerId: number; active: boolean }

export type SetTeeOfferActiveReturnType = WriteContractAndWaitReturnType

/** Enables or disables the caller's TEE offer for new orders. */
export function setTeeOfferActive(
  chain: BoccSigner,
  parameters: SetTeeOfferActiveParameters,
): Promise<SetTeeOfferActiveReturnType> {
  return writeMarket(chain, 'setTeeOfferActive', [parameters.offerId, parameters.active])
}
