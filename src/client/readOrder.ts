import type { Address, Hex } from 'viem'
import { boccMarketAbi } from '../chain/artifacts.ts'
import type { ChainConnection } from '../chain/connectChain.ts'
import { BoccError } from '../errors.ts'

export const orderStatuses = ['none', 'created', 'completed', 'refunded'] as const
export type OrderStatusName = (typeof orderStatuses)[number]

export type OrderRecord = {
  orderId: bigint
  customer: Address
  offerId: bigint
  enclave: Address
  status: OrderStatusName
  escrow: bigint
  deadline: bigint
  requestHash: Hex
  inputHash: Hex
  solutionHash: Hex
  outputHash: Hex
}

export class UnknownOrderError extends BoccError {
  override name = 'UnknownOrderError'
  constructor(orderId: bigint, market: Address) {
    super(`order ${orderId} does not exist on market ${market}`)
  }
}

export class NoMarketError extends BoccError {
  override name = 'NoMarketError'
  constructor(market: Address) {
    super(`no BOCC market contract at ${market} on this chain`)
  }
}

/** Reads an order's on-chain record; throws {@link UnknownOrderError} for an id never created. */
export async function readOrder(parameters: {
  connection: ChainConnection
  market: Address
  orderId: bigint
}): Promise<OrderRecord> {
  const { connection, market, orderId } = parameters
  const code = await connection.publicClient.getCode({ address: market })
  if (!code || code === '0x') throw new NoMarketError(market)
  const order = await connection.publicClient.readContract({
    address: market,
    abi: boccMarketAbi,
    functionName: 'getOrder',
    args: [orderId],
  })
  const status = orderStatuses[order.status] ?? 'none'
  if (status === 'none') throw new UnknownOrderError(orderId, market)
  return {
    orderId,
    ...order,
    offerId: BigInt(order.offerId),
    deadline: BigInt(order.deadline),
    escrow: BigInt(order.escrow),
    status,
  }
}

export class OrderRefundedError extends BoccError {
  override name = 'OrderRefundedError'
}

/** Waits until the order is completed (a receipt was accepted on-chain). */
export async function waitForOrderCompletion(parameters: {
  connection: ChainConnection
  market: Address
  orderId: bigint
  timeoutMs?: number
}): Promise<OrderRecord> {
  const deadline = Date.now() + (parameters.timeoutMs ?? 120_000)
  for (;;) {
    const order = await readOrder(parameters)
    if (order.status === 'completed') return order
    if (order.status === 'refunded')
      throw new OrderRefundedError(`order ${order.orderId} was refunded without a result`)
    if (Date.now() > deadline)
      throw new BoccError(
        `order ${order.orderId} got no receipt within ${(parameters.timeoutMs ?? 120_000) / 1000} s`,
      )
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
