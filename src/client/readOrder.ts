import type { Address, Hex } from 'viem'
import { boccProtocolAbi } from '../chain/artifacts.ts'
import type { ChainConnection } from '../chain/connectChain.ts'
import { BoccError } from '../errors.ts'
import { describeFailureReason } from '../protocol/failureReasons.ts'
import { formatOrderId, type OrderTerms } from '../protocol/orderTerms.ts'

export const orderStatuses = [
  'none',
  'created',
  'accepted',
  'completed',
  'cancelled',
  'refunded',
  'failed',
] as const
export type OrderStatusName = (typeof orderStatuses)[number]

/** An order as the chain records it: its status, its terms (from `OrderCreated`) and, once completed, its receipt. */
export type OrderRecord = {
  orderId: bigint
  status: OrderStatusName
  terms: OrderTerms
  /** From `OrderCompleted`: the output's hash and the enclave's receipt signature. */
  completion?: { outputHash: Hex; signature: Hex }
  /** From `OrderFailed`: why the enclave could not run the order, and its signature. */
  failure?: { reason: number; signature: Hex }
}

export class UnknownOrderError extends BoccError {
  override name = 'UnknownOrderError'
  constructor(orderId: bigint, protocol: Address) {
    super(`order ${formatOrderId(orderId)} does not exist on the BOCC contract ${protocol}`)
  }
}

export class NoProtocolError extends BoccError {
  override name = 'NoProtocolError'
  constructor(protocol: Address) {
    super(`no BOCC contract at ${protocol} on this chain`)
  }
}

/** Reads an order's on-chain record; throws {@link UnknownOrderError} for an id never created. */
export async function readOrder(parameters: {
  connection: ChainConnection
  protocol: Address
  orderId: bigint
  /** Where log scans start (the protocol's deployment block). */
  fromBlock?: bigint
}): Promise<OrderRecord> {
  const { connection, protocol, orderId } = parameters
  const client = connection.publicClient
  const code = await client.getCode({ address: protocol })
  if (!code || code === '0x') throw new NoProtocolError(protocol)
  const statusIndex = await client.readContract({
    address: protocol,
    abi: boccProtocolAbi,
    functionName: 'getOrderStatus',
    args: [orderId],
  })
  const status = orderStatuses[statusIndex] ?? 'none'
  if (status === 'none') throw new UnknownOrderError(orderId, protocol)
  // Each of an order's events is indexed by its id, so the node filters them (no full log scan).
  const fromBlock = parameters.fromBlock ?? 0n
  const eventsNamed = (eventName: 'OrderCreated' | 'OrderCompleted' | 'OrderFailed') =>
    client.getContractEvents({
      address: protocol,
      abi: boccProtocolAbi,
      eventName,
      args: { orderId },
      fromBlock,
    })
  const events = (
    await Promise.all([
      eventsNamed('OrderCreated'),
      ...(status === 'completed' ? [eventsNamed('OrderCompleted')] : []),
      ...(status === 'failed' ? [eventsNamed('OrderFailed')] : []),
    ])
  ).flat()
  const created = events.find((event) => event.eventName === 'OrderCreated')
  if (!created) throw new BoccError(`order ${formatOrderId(orderId)} has no OrderCreated event`)
  const record: OrderRecord = {
    orderId,
    status,
    terms: (created.args as { terms: OrderTerms }).terms,
  }
  for (const event of events) {
    const args = event.args as { outputHash?: Hex; reason?: number; signature?: Hex }
    if (event.eventName === 'OrderCompleted' && args.outputHash && args.signature)
      record.completion = { outputHash: args.outputHash, signature: args.signature }
    if (event.eventName === 'OrderFailed' && args.reason !== undefined && args.signature)
      record.failure = { reason: args.reason, signature: args.signature }
  }
  return record
}

export class OrderNotCompletedError extends BoccError {
  override name = 'OrderNotCompletedError'
}

/** Waits until the order is completed (a receipt was accepted on-chain). */
export async function waitForOrderCompletion(parameters: {
  connection: ChainConnection
  protocol: Address
  orderId: bigint
  fromBlock?: bigint
  timeoutMs?: number
  /** Checked while waiting: a reason to give up now (for example the provider reported a failure). */
  stopIf?: () => string | undefined
}): Promise<OrderRecord> {
  const timeoutMs = parameters.timeoutMs ?? 120_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const order = await readOrder(parameters)
    if (order.status === 'completed') return order
    if (order.status === 'failed')
      throw new OrderNotCompletedError(
        `order ${formatOrderId(order.orderId)} failed in the enclave: ${describeFailureReason(order.failure?.reason ?? 0)}; the escrow went back to the customer`,
      )
    if (order.status === 'cancelled' || order.status === 'refunded')
      throw new OrderNotCompletedError(
        `order ${formatOrderId(order.orderId)} was ${order.status} without a result`,
      )
    const reason = parameters.stopIf?.()
    if (reason !== undefined)
      throw new OrderNotCompletedError(`order ${formatOrderId(order.orderId)} failed: ${reason}`)
    if (Date.now() > deadline)
      throw new OrderNotCompletedError(
        `order ${formatOrderId(order.orderId)} got no receipt within ${timeoutMs / 1000} s`,
      )
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
