import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type HandBackOrderParameters = {
  /** The order's terms, as its `OrderCreated` event gave them. */
  terms: OrderTerms
}

export type HandBackOrderReturnType = WriteContractAndWaitReturnType

/** The provider gives an accepted order back before its deadline: refund plus the hand-back fee. */
export function handBackOrder(
  chain: BoccSigner,
  parameters: HandBackOrderParameters,
): Promise<HandBackOrderReturnType> {
  return writeMarket(chain, 'handBackOrder', [parameters.terms])
}
