import { acceptOrders } from '../chain/actions/market/acceptOrders.ts'
import { getStake } from '../chain/actions/market/getStake.ts'
import { shortMessageOf } from '../errors.ts'
import { formatOrderId, orderTotal } from '../protocol/orderTerms.ts'
import { whyNotServable } from './checkServable.ts'
import type { DaemonContext } from './daemonContext.ts'
import type { LiveEnclave } from './enclaveFleet.ts'
import { activeOrderStates, type StoredOrder } from './providerState.ts'
import { reconcileOrders } from './reconcileOrders.ts'

/** Why the daemon accepts nothing now; undefined while it accepts. */
export type AcceptPause = 'stopping' | 'stake below the minimum' | undefined

/** Skips after which an order stays queued: it may fit later. */
const retryLater = new Set(['OfferAtCapacity', 'InsufficientStake', 'StakeBelowMinimum'])

/**
 * Accepts, in one batch, as many queued orders as the offer's free capacity and the unlocked
 * stake allow, earliest `acceptBy` first. An order is accepted only once its request and every
 * blob it needs are in the store and the request is addressed to its live enclave
 * (`whyNotServable`): an order the daemon cannot serve is never accepted (it is refunded after
 * `acceptBy` without slashing).
 * Orders that do not fit now stay queued until their `acceptBy`.
 */
export async function acceptQueuedOrders(
  context: DaemonContext,
  parameters: { pause: AcceptPause },
): Promise<{ stakeLow?: { active: bigint; needed: bigint } }> {
  const { state, config, chain, settings } = context
  const queued = state.ordersIn(['queued'])
  if (queued.length === 0) return {}
  const now = context.clock.now()
  const refuse = (order: StoredOrder, reason: string) => {
    state.setState([order.orderId], 'refused', reason)
    context.log({ event: 'order-refused', orderId: formatOrderId(order.orderId), reason })
  }
  const candidates: { order: StoredOrder; enclave: LiveEnclave }[] = []
  for (const order of queued) {
    const enclave = context.fleet.live(order.terms.enclave)
    if (order.terms.acceptBy <= now) refuse(order, 'acceptBy passed')
    else if (!enclave && context.fleet.reconnecting(order.terms.enclave)) continue
    else if (!enclave) refuse(order, 'its enclave is no longer running')
    else if (order.terms.deadline - now <= 2 * config.receiptMarginSeconds)
      refuse(order, 'too close to its deadline')
    else candidates.push({ order, enclave })
  }
  if (parameters.pause || candidates.length === 0) return {}

  let free = config.offer.capacity - state.ordersIn(activeOrderStates).length
  if (free <= 0) return {}
  const stake = await getStake(chain, { provider: chain.account.address })
  context.metrics.stakeActive.set(Number(stake.active))
  context.metrics.stakeLocked.set(Number(stake.locked))
  if (stake.active < settings.minStake)
    return { stakeLow: { active: stake.active, needed: settings.minStake } }
  let unlocked = stake.active - stake.locked
  const batch: StoredOrder[] = []
  for (const { order, enclave } of candidates) {
    if (free === 0) break
    const exposure = (orderTotal(order.terms) * BigInt(settings.slashBps)) / 10_000n
    if (exposure > unlocked) continue
    let problem: string | undefined
    try {
      problem = await whyNotServable({
        terms: order.terms,
        identity: enclave.identity,
        blobs: context.blobs,
      })
    } catch (error) {
      // The blob store may be down for a moment: the order stays queued.
      context.log({ event: 'warning', message: `blob store: ${shortMessageOf(error)}` })
      continue
    }
    if (problem) {
      refuse(order, problem)
      continue
    }
    unlocked -= exposure
    free -= 1
    batch.push(order)
  }
  if (batch.length === 0) return {}

  state.setState(
    batch.map((order) => order.orderId),
    'accepting',
  )
  const outcome = await acceptOrders(chain, { terms: batch.map((order) => order.terms) })
  context.crashPoint('after-accept')
  state.setState(outcome.done, 'accepted')
  if (outcome.done.length > 0)
    context.log({ event: 'orders-accepted', orderIds: outcome.done.map(formatOrderId) })
  const elsewhere: StoredOrder[] = []
  for (const skipped of outcome.skipped) {
    const order = batch.find((candidate) => candidate.orderId === skipped.orderId)
    if (!order) continue
    if (retryLater.has(skipped.errorName)) state.setState([order.orderId], 'queued')
    else if (skipped.errorName === 'OrderNotFound') state.forgetOrder(order.orderId)
    // Past `created` already: accepted by this account (a reorg brought the acceptance back with
    // the order, or the state is older than the chain), or ended. The chain says which.
    else if (skipped.errorName === 'WrongOrderStatus') elsewhere.push(order)
    else refuse(order, `not accepted: ${skipped.errorName}`)
  }
  if (elsewhere.length > 0) await reconcileOrders(context, elsewhere)
  return {}
}
