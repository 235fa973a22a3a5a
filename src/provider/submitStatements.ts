import { getOrderState } from '../chain/actions/market/getOrderState.ts'
import { submitFailures } from '../chain/actions/market/submitFailures.ts'
import { submitReceipts } from '../chain/actions/market/submitReceipts.ts'
import { describeFailureReason } from '../protocol/failureReasons.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import type { DaemonContext } from './daemonContext.ts'
import { markForHandBack } from './handBackOrders.ts'
import type { StoredOrder } from './providerState.ts'
import { reconcileOrders } from './reconcileOrders.ts'

/**
 * Submits every stored receipt in one batch, and every stored signed failure in another. A
 * receipt reveals the result key sealed to the customer, even in a transaction that does not
 * complete the order; so it is sent only for an order the chain shows accepted, and only while
 * it can land `receiptMarginSeconds` before the deadline: later, the order is handed back
 * instead. Resubmitting after a crash is harmless: the batch skips orders already completed.
 */
export async function submitStatements(context: DaemonContext): Promise<void> {
  const { state, chain, config } = context
  const executed = state.ordersIn(['executed'])
  if (executed.length === 0) return
  const now = context.clock.now()
  const inTime: StoredOrder[] = []
  for (const order of executed)
    if (order.terms.deadline - config.receiptMarginSeconds <= now)
      markForHandBack(context, order.orderId, 'its receipt could not land before the deadline')
    else inTime.push(order)
  const statuses = await Promise.all(
    inTime.map((order) => getOrderState(chain, { orderId: order.orderId })),
  )
  const ready = inTime.filter((_, index) => statuses[index]?.status === 'accepted')
  const elsewhere = inTime.filter((_, index) => statuses[index]?.status !== 'accepted')
  if (elsewhere.length > 0) await reconcileOrders(context, elsewhere)

  const receipts = ready.flatMap((order) =>
    order.statement && 'outputHash' in order.statement
      ? [{ orderId: order.orderId, terms: order.terms, ...order.statement }]
      : [],
  )
  const failures = ready.flatMap((order) =>
    order.statement && 'failure' in order.statement
      ? [
          {
            orderId: order.orderId,
            terms: order.terms,
            reason: order.statement.failure,
            signature: order.statement.signature,
            message: order.statement.message,
          },
        ]
      : [],
  )
  if (receipts.length > 0) {
    const outcome = await submitReceipts(chain, { receipts })
    context.crashPoint('after-submit')
    state.setState(outcome.done, 'completed')
    context.metrics.receipts.inc(outcome.done.length)
    if (outcome.done.length > 0)
      context.log({ event: 'receipts-accepted', orderIds: outcome.done.map(formatOrderId) })
    await reconcileSkipped(context, ready, outcome.skipped)
  }
  if (failures.length > 0) {
    const outcome = await submitFailures(chain, { failures })
    state.setState(outcome.done, 'failed')
    context.metrics.receipts.inc(outcome.done.length)
    for (const failure of failures)
      if (outcome.done.includes(failure.orderId))
        context.log({
          event: 'failure-submitted',
          orderId: formatOrderId(failure.orderId),
          reason: `${describeFailureReason(failure.reason)}${failure.message ? ` (${failure.message})` : ''}`,
          code: failure.reason,
        })
    await reconcileSkipped(context, ready, outcome.skipped)
  }
}

async function reconcileSkipped(
  context: DaemonContext,
  orders: StoredOrder[],
  skipped: { orderId: bigint; errorName: string }[],
) {
  for (const skip of skipped)
    context.log({
      event: 'warning',
      message: `order ${formatOrderId(skip.orderId)}: the chain skipped its statement (${skip.errorName})`,
    })
  const ids = new Set(skipped.map((skip) => skip.orderId))
  await reconcileOrders(
    context,
    orders.filter((order) => ids.has(order.orderId)),
  )
}
