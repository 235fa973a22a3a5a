import type { Hex } from 'viem'
import { getOrderEvents, type OrderEvent } from '../chain/actions/market/getOrderEvents.ts'
import { getOrderState } from '../chain/actions/market/getOrderState.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import type { OrderStatusName } from '../chain/orderStatus.ts'
import { BoccError } from '../errors.ts'
import { describeFailureReason } from '../protocol/failureReasons.ts'
import { formatOrderId, type OrderTerms } from '../protocol/orderTerms.ts'

/** An order as the chain records it: its status and terms, and how it ended, from its events. */
export type OrderRecord = {
  orderId: bigint
  status: OrderStatusName
  terms: OrderTerms
  /** The blocks of its lifecycle events. */
  blocks: { created: bigint; accepted?: bigint; ended?: bigint }
  /** From `OrderCompleted`: the output's hash, the result key sealed to the customer, the receipt signature. */
  completion?: { outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
  /** From `ChallengeAnswered`: the output published on-chain. */
  publishedOutput?: Hex
  /** From `OrderFailed`: why the enclave could not run the order, and its signature. */
  failure?: { reason: number; signature: Hex }
  /** From `OrderRefunded`: what went back to the customer and what the provider lost. */
  refund?: { amount: bigint; slashed: bigint }
}

export class UnknownOrderError extends BoccError {
  override name = 'UnknownOrderError'
  constructor(orderId: bigint, market: string) {
    super(`order ${formatOrderId(orderId)} does not exist on the BOCC market ${market}`)
  }
}

export class NoMarketError extends BoccError {
  override name = 'NoMarketError'
  constructor(market: string) {
    super(`no BOCC market at ${market} on this chain; check the deployment file`)
  }
}

/** The record an order's events make, oldest first; undefined when there is no `OrderCreated`. */
export function orderRecordOf(orderId: bigint, events: OrderEvent[]): OrderRecord | undefined {
  const created = events.find((event) => event.eventName === 'OrderCreated')
  if (!created) return undefined
  const record: OrderRecord = {
    orderId,
    status: 'created',
    terms: created.args.terms,
    blocks: { created: created.blockNumber },
  }
  for (const event of events) {
    if (event.eventName === 'OrderAccepted') {
      record.status = 'accepted'
      record.blocks.accepted = event.blockNumber
      continue
    }
    if (event.eventName === 'OrderCreated') continue
    record.blocks.ended = event.blockNumber
    if (event.eventName === 'OrderCompleted') {
      record.status = 'completed'
      record.completion = {
        outputHash: event.args.outputHash,
        wrappedResultKey: event.args.wrappedResultKey,
        signature: event.args.signature,
      }
    } else if (event.eventName === 'OrderChallenged') record.status = 'challenged'
    else if (event.eventName === 'ChallengeAnswered') {
      record.status = 'completed'
      record.publishedOutput = event.args.output
    } else if (event.eventName === 'OrderFailed') {
      record.status = 'failed'
      record.failure = { reason: event.args.reason, signature: event.args.signature }
    } else if (event.eventName === 'OrderRefunded') {
      record.status = 'refunded'
      record.refund = { amount: event.args.amount, slashed: event.args.slashed }
    } else if (event.eventName === 'OrderCancelled') record.status = 'cancelled'
    else if (event.eventName === 'OrderHandedBack') record.status = 'handedBack'
  }
  return record
}

/** Reads an order's record from its events; throws {@link UnknownOrderError} for an id never created. */
export async function readOrder(
  chain: BoccChain,
  parameters: { orderId: bigint },
): Promise<OrderRecord> {
  const market = chain.deployment.contracts.market
  const code = await chain.publicClient.getCode({ address: market })
  if (!code || code === '0x') throw new NoMarketError(market)
  const record = orderRecordOf(
    parameters.orderId,
    await getOrderEvents(chain, { orderId: parameters.orderId }),
  )
  if (!record) {
    // An order whose events the node does not serve yet still has its state.
    const state = await getOrderState(chain, parameters)
    if (state.status === 'none') throw new UnknownOrderError(parameters.orderId, market)
    throw new BoccError(`order ${formatOrderId(parameters.orderId)} has no OrderCreated event yet`)
  }
  return record
}

export class OrderNotCompletedError extends BoccError {
  override name = 'OrderNotCompletedError'
}

export type WaitForOrderParameters = {
  orderId: bigint
  timeoutMs?: number
  /** Called with the order's status whenever it changes (for progress). */
  onStatus?: (status: OrderStatusName) => void
  /** Checked while waiting: a reason to give up now (for example the provider reported a failure). */
  stopIf?: () => string | undefined
}

/**
 * Waits until the order is completed, looking again at every new block. Completion is read from
 * the `OrderCompleted` event itself, so the receipt is in hand when the wait returns.
 */
export async function waitForOrderCompletion(
  chain: BoccChain,
  parameters: WaitForOrderParameters,
): Promise<OrderRecord> {
  const timeoutMs = parameters.timeoutMs ?? 120_000
  const deadline = Date.now() + timeoutMs
  let lastStatus: OrderStatusName | undefined
  let lastBlock = -1n
  for (;;) {
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 })
    if (head !== lastBlock) {
      lastBlock = head
      const record = orderRecordOf(
        parameters.orderId,
        await getOrderEvents(chain, { orderId: parameters.orderId }),
      )
      if (record && record.status !== lastStatus) {
        lastStatus = record.status
        parameters.onStatus?.(record.status)
      }
      if (record?.status === 'completed' && record.completion) return record
      if (record?.status === 'failed')
        throw new OrderNotCompletedError(
          `order ${formatOrderId(parameters.orderId)} failed in the enclave: ${describeFailureReason(record.failure?.reason ?? 0)}; the escrow went back to the customer`,
        )
      if (record && ['cancelled', 'refunded', 'handedBack'].includes(record.status))
        throw new OrderNotCompletedError(
          `order ${formatOrderId(parameters.orderId)} was ${record.status === 'handedBack' ? 'handed back by the provider' : record.status} without a result`,
        )
    }
    const reason = parameters.stopIf?.()
    if (reason !== undefined)
      throw new OrderNotCompletedError(
        `order ${formatOrderId(parameters.orderId)} failed: ${reason}`,
      )
    if (Date.now() > deadline)
      throw new OrderNotCompletedError(
        `order ${formatOrderId(parameters.orderId)} got no receipt within ${timeoutMs / 1000} s`,
      )
    // A new block can only bring news; wait for the next one (local nodes mine at once).
    await new Promise((resolve) => setTimeout(resolve, chain.publicClient.pollingInterval))
  }
}
