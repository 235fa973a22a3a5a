import { sha256 } from 'viem'
import { acceptOrders } from '../chain/actions/market/acceptOrders.ts'
import { getStake } from '../chain/actions/market/getStake.ts'
import { shortMessageOf } from '../errors.ts'
import { decodeOrderRequest } from '../protocol/orderRequest.ts'
import { formatOrderId, orderTotal } from '../protocol/orderTerms.ts'
import { BlobNotFoundError } from '../storage/blobStore.ts'
import type { DaemonContext } from './daemonContext.ts'
import type { LiveEnclave } from './enclaveFleet.ts'
import { activeOrderStates, type StoredOrder } from './providerState.ts'

/** The encrypted blobs of an order, fetched before it is accepted, kept for its job. */
export type OrderBlobs = { request: Uint8Array; input: Uint8Array }

/** Why the daemon accepts nothing now; undefined while it accepts. */
export type AcceptPause = 'stopping' | 'stake below the minimum' | undefined

/** Skips after which an order stays queued: it may fit later. */
const retryLater = new Set(['OfferAtCapacity', 'InsufficientStake', 'StakeBelowMinimum'])

/**
 * Accepts, in one batch, as many queued orders as the offer's free capacity and the unlocked
 * stake allow, earliest `acceptBy` first. An order is accepted only once its request and input
 * are in hand and the request is addressed to its live enclave and solution: an order the
 * daemon cannot serve is never accepted (it is refunded after `acceptBy` without slashing).
 * Orders that do not fit now stay queued until their `acceptBy`.
 */
export async function acceptQueuedOrders(
  context: DaemonContext,
  parameters: { blobsOf: Map<bigint, OrderBlobs>; pause: AcceptPause },
): Promise<{ stakeLow?: { active: bigint; needed: bigint } }> {
  const { state, config, chain, settings } = context
  const queued = state.ordersIn(['queued'])
  if (queued.length === 0) return {}
  const now = context.clock.now()
  const refuse = (order: StoredOrder, reason: string) => {
    state.setState([order.orderId], 'refused', reason)
    parameters.blobsOf.delete(order.orderId)
    context.log({ event: 'order-refused', orderId: formatOrderId(order.orderId), reason })
  }
  const candidates: { order: StoredOrder; enclave: LiveEnclave }[] = []
  for (const order of queued) {
    const enclave = context.fleet.live(order.terms.enclave)
    if (order.terms.acceptBy <= now) refuse(order, 'acceptBy passed')
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
    const problem = await prepare(context, order, enclave, parameters.blobsOf)
    if (problem === 'retry') continue
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
  for (const skipped of outcome.skipped) {
    const order = batch.find((candidate) => candidate.orderId === skipped.orderId)
    if (!order) continue
    if (retryLater.has(skipped.errorName)) state.setState([order.orderId], 'queued')
    else if (skipped.errorName === 'OrderNotFound') state.forgetOrder(order.orderId)
    else refuse(order, `not accepted: ${skipped.errorName}`)
  }
  return {}
}

/**
 * Fetches an order's request and input and checks that the enclave can run it. Returns the
 * reason it cannot be served, `retry` when the blob store could not answer now, or undefined.
 */
async function prepare(
  context: DaemonContext,
  order: StoredOrder,
  enclave: LiveEnclave,
  blobsOf: Map<bigint, OrderBlobs>,
): Promise<string | 'retry' | undefined> {
  let blobs = blobsOf.get(order.orderId)
  if (!blobs) {
    try {
      const [request, input] = await Promise.all([
        context.blobs.get(order.terms.requestHash),
        context.blobs.get(order.terms.inputHash),
      ])
      blobs = { request, input }
    } catch (error) {
      if (error instanceof BlobNotFoundError)
        return `its blobs are not in the store: ${error.shortMessage}`
      context.log({ event: 'warning', message: `blob store: ${shortMessageOf(error)}` })
      return 'retry'
    }
  }
  let request: ReturnType<typeof decodeOrderRequest>
  try {
    request = decodeOrderRequest(blobs.request)
  } catch (error) {
    return shortMessageOf(error)
  }
  const { identity } = enclave
  const { terms } = order
  if (sha256(blobs.request) !== terms.requestHash) return 'the request does not match requestHash'
  if (request.enclaveSigner.toLowerCase() !== terms.enclave.toLowerCase())
    return 'the request is addressed to another enclave'
  if (request.enclaveHpkePublicKey !== identity.hpkePublicKey)
    return 'the request seals its key to another enclave key'
  if (request.inputHash !== terms.inputHash) return 'the request names another input'
  if (request.solutionHash !== terms.solutionHash || terms.solutionHash !== identity.solutionHash)
    return 'the order is for a solution this enclave does not run'
  blobsOf.set(order.orderId, blobs)
  return undefined
}
