import type { Address } from 'viem'
import { getCreatedOrders } from '../chain/actions/market/getCreatedOrders.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { type OrderRecord, readOrder } from './readOrder.ts'

/** A customer's orders, oldest first, each with its current record. */
export async function listOrders(
  chain: BoccChain,
  parameters: { customer: Address },
): Promise<OrderRecord[]> {
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 })
  const created = await getCreatedOrders(chain, {
    customer: parameters.customer,
    fromBlock: chain.deployment.fromBlock,
    toBlock: head,
  })
  return Promise.all(created.map((order) => readOrder(chain, { orderId: order.orderId })))
}
