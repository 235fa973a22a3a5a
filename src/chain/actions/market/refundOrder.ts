import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type RefundOrderParameters = {
  /** The order's terms, as its `OrderCreated` event gave them. */
  terms: OrderTerms
}

export type RefundOrderReturnType = WriteContractAndWaitReturnType

/** Refunds an order whose acceptance, delivery or challenge answer is overdue (anyone may call). */
export function refundOrder(
  chain: BoccSigner,
  parameters: RefundOrderParameters,
): Promise<RefundOrderReturnType> {
  return writeMarket(chain, 'refundOrder', [parameters.terms])
}
