import type { Hex } from 'viem'
import { acceptOrders } from '../chain/actions/market/acceptOrders.ts'
import { getBalance } from '../chain/actions/market/getBalance.ts'
import { type CreatedOrder, getCreatedOrders } from '../chain/actions/market/getCreatedOrders.ts'
import { submitFailures } from '../chain/actions/market/submitFailures.ts'
import { type EnclaveReceipt, submitReceipts } from '../chain/actions/market/submitReceipts.ts'
import { withdraw } from '../chain/actions/market/withdraw.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import { describeFailureReason } from '../protocol/failureReasons.ts'
import { formatOrderId, type OrderTerms } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { whyNotServable } from './checkServable.ts'
import type { EnclaveClient } from './enclaveClient.ts'
import type { ProviderEvent } from './providerEvents.ts'
import { runOrderInEnclave } from './runOrderInEnclave.ts'

/** Blocks looked at again on every poll: a node may report a block before its logs are queryable. */
const rescanBlocks = 4n

export type OrderPipelineParameters = {
  chain: BoccSigner
  offerId: number
  /** Orders run at once: the offer's capacity. */
  capacity: number
  fromBlock: bigint
  enclave: EnclaveClient
  identity: EnclaveIdentity
  blobs: BlobStore
  onEvent(event: ProviderEvent): void
  pollIntervalMs: number
}

/** An order found on the chain, checked servable before it is accepted. */
type Candidate = CreatedOrder & { checked?: boolean }

/**
 * The provider's order loop, in named steps: discover new orders for this enclave, check that
 * they can be served before accepting them (blobs present, not too late), accept as many as the
 * offer's free capacity allows, run them in the enclave at once up to that capacity, and submit
 * each receipt or signed failure as soon as it is ready (batching whatever is ready together).
 * Orders refused only for capacity stay queued until their `acceptBy`.
 */
export function startOrderPipeline(parameters: OrderPipelineParameters) {
  const { chain, onEvent } = parameters
  let running = true
  let nextBlock = parameters.fromBlock
  const seen = new Set<bigint>()
  const queued = new Map<bigint, Candidate>()
  const jobs = new Set<Promise<void>>()
  const readyReceipts: (EnclaveReceipt & { orderId: bigint })[] = []
  const readyFailures: {
    orderId: bigint
    terms: OrderTerms
    reason: number
    /** The enclave's one line: a limit or a cause, nothing of the input. */
    message: string
    signature: Hex
  }[] = []
  let submitting: Promise<void> | undefined
  const warn = (error: unknown) => onEvent({ event: 'warning', message: shortMessageOf(error) })

  async function discoverOrders() {
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 })
    if (head < nextBlock) return
    const from =
      nextBlock > parameters.fromBlock + rescanBlocks
        ? nextBlock - rescanBlocks
        : parameters.fromBlock
    const orders = await getCreatedOrders(chain, {
      teeOfferId: parameters.offerId,
      fromBlock: from,
      toBlock: head,
    })
    for (const order of orders) {
      if (seen.has(order.orderId)) continue
      seen.add(order.orderId)
      if (order.terms.enclave.toLowerCase() === parameters.identity.signer.toLowerCase())
        queued.set(order.orderId, order)
    }
    nextBlock = head + 1n
  }

  /** An order is accepted only if this provider can serve it (`whyNotServable`), checked once. */
  async function prepare(order: Candidate): Promise<boolean> {
    if (order.checked) return true
    const reason = await whyNotServable({
      terms: order.terms,
      identity: parameters.identity,
      blobs: parameters.blobs,
    }).catch(shortMessageOf)
    if (reason === undefined) {
      order.checked = true
      return true
    }
    onEvent({ event: 'order-refused', orderId: formatOrderId(order.orderId), reason })
    return false
  }

  async function acceptWhatFits() {
    const now = Number((await chain.publicClient.getBlock({ blockTag: 'latest' })).timestamp)
    for (const [orderId, order] of queued)
      if (order.terms.acceptBy <= now) {
        queued.delete(orderId)
        onEvent({
          event: 'order-refused',
          orderId: formatOrderId(orderId),
          reason: 'acceptBy passed',
        })
      }
    const free = parameters.capacity - jobs.size
    if (free <= 0 || queued.size === 0) return
    const batch: Candidate[] = []
    for (const order of queued.values()) {
      if (batch.length >= free) break
      if (await prepare(order)) batch.push(order)
      else queued.delete(order.orderId)
    }
    if (batch.length === 0) return
    const outcome = await acceptOrders(chain, { terms: batch.map((order) => order.terms) })
    for (const skipped of outcome.skipped) {
      // At capacity (another process of this provider, or a slot not freed yet): try again later.
      if (skipped.errorName === 'OfferAtCapacity') continue
      queued.delete(skipped.orderId)
      onEvent({
        event: 'order-failed',
        orderId: formatOrderId(skipped.orderId),
        error: `not accepted: ${skipped.errorName}`,
      })
    }
    const accepted = batch.filter((order) => outcome.done.includes(order.orderId))
    if (accepted.length > 0)
      onEvent({
        event: 'orders-accepted',
        orderIds: accepted.map((order) => formatOrderId(order.orderId)),
      })
    for (const order of accepted) {
      queued.delete(order.orderId)
      const job: Promise<void> = runJob(order).finally(() => jobs.delete(job))
      jobs.add(job)
    }
  }

  async function runJob(order: Candidate) {
    try {
      const outcome = await runOrderInEnclave({
        enclave: parameters.enclave,
        chainId: chain.chain.id,
        market: chain.deployment.contracts.market,
        terms: order.terms,
        blobs: parameters.blobs,
      })
      if ('failure' in outcome) {
        readyFailures.push({
          orderId: order.orderId,
          terms: order.terms,
          reason: outcome.failure,
          message: outcome.message,
          signature: outcome.signature,
        })
      } else {
        // The output goes public before the receipt: useless without the key the receipt reveals.
        await parameters.blobs.put(outcome.output)
        onEvent({
          event: 'order-executed',
          orderId: formatOrderId(order.orderId),
          outputHash: outcome.outputHash,
        })
        readyReceipts.push({
          orderId: order.orderId,
          terms: order.terms,
          outputHash: outcome.outputHash,
          wrappedResultKey: outcome.wrappedResultKey,
          signature: outcome.signature,
        })
      }
    } catch (error) {
      onEvent({
        event: 'order-failed',
        orderId: formatOrderId(order.orderId),
        error: shortMessageOf(error),
      })
    }
    submitReady()
  }

  /** Submits every receipt and failure that is ready, in one batch each; one submission at a time. */
  function submitReady() {
    if (submitting) return
    submitting = (async () => {
      while (readyReceipts.length > 0 || readyFailures.length > 0) {
        const receipts = readyReceipts.splice(0)
        const failures = readyFailures.splice(0)
        try {
          if (receipts.length > 0) {
            const outcome = await submitReceipts(chain, { receipts })
            for (const skipped of outcome.skipped)
              onEvent({
                event: 'order-failed',
                orderId: formatOrderId(skipped.orderId),
                error: `receipt refused: ${skipped.errorName}`,
              })
            if (outcome.done.length > 0)
              onEvent({ event: 'receipts-accepted', orderIds: outcome.done.map(formatOrderId) })
          }
          if (failures.length > 0) {
            const outcome = await submitFailures(chain, {
              failures: failures.map(({ terms, reason, signature }) => ({
                terms,
                reason,
                signature,
              })),
            })
            for (const failure of failures)
              if (outcome.done.includes(failure.orderId))
                onEvent({
                  event: 'failure-submitted',
                  orderId: formatOrderId(failure.orderId),
                  reason: `${describeFailureReason(failure.reason)} (${failure.message})`,
                  code: failure.reason,
                })
          }
        } catch (error) {
          // The RPC may drop: keep them for the next round.
          readyReceipts.unshift(...receipts)
          readyFailures.unshift(...failures)
          warn(error)
          break
        }
      }
    })().finally(() => {
      submitting = undefined
    })
  }

  async function withdrawEarnings() {
    const { available } = await getBalance(chain, { account: chain.account.address })
    if (available === 0n) return
    await withdraw(chain, { amount: available })
    onEvent({ event: 'withdrawn', amount: available.toString() })
  }

  const loop = (async () => {
    let rounds = 0
    while (running) {
      try {
        await discoverOrders()
        await acceptWhatFits()
        if (readyReceipts.length > 0 || readyFailures.length > 0) submitReady()
        if (++rounds % 40 === 0) await withdrawEarnings()
      } catch (error) {
        // The RPC may drop; keep the position and try again.
        warn(error)
      }
      await new Promise((resolve) => setTimeout(resolve, parameters.pollIntervalMs))
    }
  })()

  return {
    async stop() {
      running = false
      await loop
      await Promise.allSettled([...jobs])
      await submitting
    },
  }
}
