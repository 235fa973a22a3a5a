import type { BoccChain } from '../../boccChain.ts'
import { type OrderStatusName, orderStatuses } from '../../orderStatus.ts'
import { readMarket } from './readMarket.ts'

export type GetOrderStateParameters = {
  orderId: bigint
  /** Read the state as of this block (an archive node serves old blocks). */
  blockNumber?: bigint
}

export type GetOrderStateReturnType = {
  status: OrderStatusName
  /** Completed: when it was delivered (zero once its output is on-chain). Challenged: the response deadline. */
  since: number
}

/** The stored state of an order (status `none` if there is no such order). */
export async function getOrderState(
  chain: BoccChain,
  parameters: GetOrderStateParameters,
): Promise<GetOrderStateReturnType> {
  const state = await readMarket(chain, 'getOrder', [parameters.orderId], parameters)
  return { status: orderStatuses[state.status] ?? 'none', since: state.since }
}
