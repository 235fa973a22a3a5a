import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type CancelOrderParameters = {
  /** The order's terms, as its `OrderCreated` event gave them. */
  terms: OrderTerms
}

export type CancelOrderReturnType = WriteContractAndWaitReturnType

/** Cancels the caller's order before it is accepted; the escrow is credited back. */
export function cancelOrder(
  chain: BoccSigner,
  parameters: CancelOrderParameters,
): Promise<CancelOrderReturnType> {
  return writeMarket(chain, 'cancelOrder', [parameters.terms])
}
