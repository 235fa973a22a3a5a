import { getOrderState } from '../chain/actions/market/getOrderState.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import type { DaemonContext } from './daemonContext.ts'
import type { OrderState, StoredOrder } from './providerState.ts'

/** The states in which the daemon ended an order by a call of its own, which a reorg can undo. */
export const endedByTheDaemon: readonly OrderState[] = ['completed', 'failed', 'handedBack']

/** What a reorg undid, by the state the daemon had recorded. */
const undone: Partial<Record<OrderState, string>> = {
  completed: 'receipt',
  failed: 'signed failure',
  handedBack: 'hand-back',
}
/** What the daemon does next, by the state it reopens the order in. */
const next: Partial<Record<OrderState, string>> = {
  executed: 'sending its statement again',
  accepted: 'running it again',
  handingBack: 'handing it back again',
}

/**
 * Brings the daemon's record of orders in line with the chain, which is the authority: after a
 * crash, a call whose outcome was not seen, or a reorg. An order the chain does not have is
 * forgotten (it may come back); one whose acceptance was undone is queued again; one the chain
 * has ended is recorded as ended. One the daemon ended that is accepted again (a reorg took its
 * receipt, failure or hand-back out) is reopened: its stored statement is sent again, and
 * without one it takes the accepted path (run, or hand back). What remains to do then follows
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
    const reopen = (order: StoredOrder) => {
      // A hand-back the daemon decided stands; a statement it holds is sent again (a receipt
      // reveals nothing the replaced block had not already made public).
      const to: OrderState =
        order.state === 'handedBack' ? 'handingBack' : order.statement ? 'executed' : 'accepted'
      state.setState([order.orderId], to, 'a reorg undid how it ended')
      context.log({
        event: 'warning',
        message: `order ${formatOrderId(order.orderId)} is accepted again: a reorg undid its ${undone[order.state]}; ${next[to]}`,
      })
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
      else if (endedByTheDaemon.includes(order.state)) reopen(order)
    } else if (status === 'completed' || status === 'challenged') ended('completed')
    else if (status === 'failed') ended('failed')
    else if (status === 'handedBack') ended('handedBack')
    else ended('ended', `the chain says ${status}`)
  })
}
