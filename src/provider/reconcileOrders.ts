import { getOrderState } from '../chain/actions/market/getOrderState.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import type { DaemonContext } from './daemonContext.ts'
import type { OrderState, StoredOrder } from './providerState.ts'

/**
 * Brings the daemon's record of orders in line with the chain, which is the authority: after a
 * crash, a call whose outcome was not seen, or a reorg. An order the chain does not have is
 * forgotten (it may come back); one whose acceptance was undone is queued again; one the chain
 * has ended is recorded as ended. What remains to do (run, submit, hand back) then follows
 * from the record.
 */
export async function reconcileOrders(
  context: DaemonContext,
  orders: readonly StoredOrder[],
): Promise<void> {
  const { chain, state } = context
  const statuses = await Promise.all(
    orders.map((order) => getOrderState(chain, { orderId: order.orderId })),
  )
  orders.forEach((order, index) => {
    const { status } = statuses[index] as { status: string }
    const ended = (to: OrderState, reason?: string) => {
      if (order.state === to) return
      state.setState([order.orderId], to, reason)
      context.log({ event: 'order-ended', orderId: formatOrderId(order.orderId), status })
    }
    if (status === 'none') {
      state.forgetOrder(order.orderId)
      context.log({
        event: 'warning',
        message: `order ${formatOrderId(order.orderId)} is not on the chain (a reorg took it out); forgotten until it comes back`,
      })
    } else if (status === 'created') {
      if (order.state !== 'queued' && order.state !== 'refused')
        state.setState([order.orderId], 'queued')
    } else if (status === 'accepted') {
      if (order.state === 'queued' || order.state === 'accepting' || order.state === 'refused')
        state.setState([order.orderId], 'accepted')
    } else if (status === 'completed' || status === 'challenged') ended('completed')
    else if (status === 'failed') ended('failed')
    else if (status === 'handedBack') ended('handedBack')
    else ended('ended', `the chain says ${status}`)
  })
}
