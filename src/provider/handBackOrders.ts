import { handBackOrder } from '../chain/actions/market/handBackOrder.ts'
import { TransactionRevertedError } from '../chain/writeContractAndWait.ts'
import { formatOrderId, orderTotal } from '../protocol/orderTerms.ts'
import type { DaemonContext } from './daemonContext.ts'
import { reconcileOrders } from './reconcileOrders.ts'

/** Marks an order for hand-back (the next `handBackOrders` takes it back) and logs why. */
export function markForHandBack(context: DaemonContext, orderId: bigint, reason: string): void {
  context.state.setState([orderId], 'handingBack', reason)
  context.log({ event: 'order-failed', orderId: formatOrderId(orderId), error: reason })
}

/**
 * Hands back every order marked for it, before its deadline: the customer gets the escrow back
 * and `handBackBps` of the order's value from the provider's stake, less than the slash a missed
 * deadline would cost. An order the chain refuses to take back (already ended, or past its
 * deadline) is recorded as the chain says.
 */
export async function handBackOrders(context: DaemonContext): Promise<void> {
  const { state, chain, settings } = context
  for (const order of state.ordersIn(['handingBack'])) {
    try {
      await handBackOrder(chain, { terms: order.terms })
    } catch (error) {
      if (!(error instanceof TransactionRevertedError)) throw error
      await reconcileOrders(context, [order])
      if (state.order(order.orderId)?.state === 'handingBack')
        state.setState([order.orderId], 'ended', `could not be handed back: ${error.errorName}`)
      continue
    }
    state.setState([order.orderId], 'handedBack')
    context.metrics.handBacks.inc()
    context.log({
      event: 'order-handed-back',
      orderId: formatOrderId(order.orderId),
      fee: String((orderTotal(order.terms) * BigInt(settings.handBackBps)) / 10_000n),
    })
  }
}
