import { getOrderEvents, type OrderEvent } from '../../chain/actions/market/getOrderEvents.ts'
import type { BoccChain } from '../../chain/boccChain.ts'
import { type OrderRecord, orderRecordOf } from '../../client/readOrder.ts'

/** Every order on the market with its status, from one scan of the market's order events, newest first. */
export async function loadOrders(chain: BoccChain): Promise<OrderRecord[]> {
  const byOrder = new Map<bigint, OrderEvent[]>()
  for (const event of await getOrderEvents(chain, {})) {
    const events = byOrder.get(event.args.orderId) ?? []
    events.push(event)
    byOrder.set(event.args.orderId, events)
  }
  return [...byOrder]
    .flatMap(([orderId, events]) => orderRecordOf(orderId, events) ?? [])
    .sort((a, b) => Number(b.blocks.created - a.blocks.created))
}
