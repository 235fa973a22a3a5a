import { shortMessageOf } from '../errors.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import type { DaemonContext } from './daemonContext.ts'
import type { LiveEnclave } from './enclaveFleet.ts'
import { fetchKeyRelease } from './fetchKeyRelease.ts'
import { markForHandBack } from './handBackOrders.ts'
import type { StoredOrder } from './providerState.ts'
import { runOrderInEnclave } from './runOrderInEnclave.ts'

/**
 * Runs every accepted order in its enclave, all at once (acceptance already bounds them by the
 * offer's capacity). A job stores the encrypted output in the blob store and then the receipt
 * (or signed failure) in the state, before anything is submitted: from then on the result is
 * never lost. An order whose enclave is gone, or whose deadline is too close for a receipt to
 * land in time, is marked for hand-back; a job still running then is abandoned.
 */
export function runAcceptedOrders(
  context: DaemonContext,
  parameters: { running: Map<bigint, Promise<void>> },
): void {
  const { state, config } = context
  const now = context.clock.now()
  for (const order of state.ordersIn(['accepted'])) {
    const enclave = context.fleet.live(order.terms.enclave)
    const cutoff = order.terms.deadline - config.receiptMarginSeconds
    if (now >= cutoff) {
      markForHandBack(context, order.orderId, 'no result in time for its deadline')
      continue
    }
    if (parameters.running.has(order.orderId)) continue
    // A dropped connection is made again first: its host may still hold the job.
    if (!enclave && context.fleet.reconnecting(order.terms.enclave)) continue
    if (!enclave) {
      markForHandBack(context, order.orderId, 'its enclave runtime is gone')
      continue
    }
    const job = runJob(context, order, enclave)
      .then(() => {
        parameters.running.delete(order.orderId)
        context.wake()
      })
      // A job that outlives a shutdown finds the state closed: its order was handed back.
      .catch(() => {
        parameters.running.delete(order.orderId)
      })
    parameters.running.set(order.orderId, job)
  }
}

async function runJob(
  context: DaemonContext,
  order: StoredOrder,
  enclave: LiveEnclave,
): Promise<void> {
  const { state, chain } = context
  const id = formatOrderId(order.orderId)
  context.log({ event: 'job-started', orderId: id, enclave: enclave.identity.signer })
  context.crashPoint('job-started')
  const started = performance.now()
  try {
    const outcome = await runOrderInEnclave({
      enclave: enclave.connection,
      chainId: chain.chain.id,
      market: chain.deployment.contracts.market,
      terms: order.terms,
      blobs: context.blobs,
      fetchSolutionKeyRelease: () => fetchSolutionKeyRelease(context, order),
    })
    const seconds = (performance.now() - started) / 1000
    if ('failure' in outcome) {
      state.setExecuted(
        order.orderId,
        { failure: outcome.failure, signature: outcome.signature, message: outcome.message },
        seconds,
      )
    } else {
      // The output goes public before the receipt: useless without the key the receipt reveals.
      await context.blobs.put(outcome.output)
      state.setExecuted(
        order.orderId,
        {
          outputHash: outcome.outputHash,
          wrappedResultKey: outcome.wrappedResultKey,
          signature: outcome.signature,
        },
        seconds,
      )
    }
    context.metrics.jobSeconds.observe(seconds)
    context.log({
      event: 'order-executed',
      orderId: id,
      ...('outputHash' in outcome ? { outputHash: outcome.outputHash } : {}),
      seconds: Math.round(seconds * 1000) / 1000,
    })
    context.crashPoint('after-job')
  } catch (error) {
    // A lost runtime is the fleet's to report; its orders are handed back on the next round.
    if (enclave.connection.isClosed() || state.order(order.orderId)?.state !== 'accepted') return
    markForHandBack(context, order.orderId, shortMessageOf(error))
  }
}

/**
 * The solution owner's release for the order, from the owner agents the configuration names. An
 * agent releases within seconds of seeing the order accepted; one that has not after 30 s (or
 * half the time left before the receipt cutoff) is taken to withhold it, and the enclave signs
 * failure 4 while the order can still end on time.
 */
function fetchSolutionKeyRelease(context: DaemonContext, order: StoredOrder) {
  const { config } = context
  if (config.ownerAgentUrls.length === 0) return Promise.resolve(undefined)
  const secondsLeft = order.terms.deadline - config.receiptMarginSeconds - context.clock.now()
  return fetchKeyRelease({
    urls: config.ownerAgentUrls,
    orderId: order.orderId,
    kind: 'solution',
    resourceHash: order.terms.solutionHash,
    enclave: order.terms.enclave,
    giveUpAt: Date.now() + Math.max(0, Math.min(30, secondsLeft / 2)) * 1000,
  })
}
