import { type Log, numberToHex, parseEventLogs } from 'viem'
import { marketAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

type MarketEvent = ReturnType<typeof parseEventLogs<typeof marketAbi>>[number]

/** The market's events about one order (every one indexes the order id first), oldest first. */
export type OrderEvent = Extract<
  MarketEvent,
  {
    eventName:
      | 'OrderCreated'
      | 'OrderAccepted'
      | 'OrderCompleted'
      | 'OrderChallenged'
      | 'ChallengeAnswered'
      | 'OrderCancelled'
      | 'OrderRefunded'
      | 'OrderFailed'
      | 'OrderHandedBack'
  }
>

export type GetOrderEventsParameters = {
  /** The order; every order's events when absent (for lists). */
  orderId?: bigint
  /** Defaults to the deployment block. */
  fromBlock?: bigint
  toBlock?: bigint
}

export type GetOrderEventsReturnType = OrderEvent[]

const orderEventNames = new Set<string>([
  'OrderCreated',
  'OrderAccepted',
  'OrderCompleted',
  'OrderChallenged',
  'ChallengeAnswered',
  'OrderCancelled',
  'OrderRefunded',
  'OrderFailed',
  'OrderHandedBack',
])

/**
 * Every event of one order, in one query filtered by the node (no scan of other orders' logs), or
 * of every order when no order is named.
 */
export async function getOrderEvents(
  chain: BoccChain,
  parameters: GetOrderEventsParameters,
): Promise<GetOrderEventsReturnType> {
  const logs = (await chain.publicClient.request({
    method: 'eth_getLogs',
    params: [
      {
        address: chain.deployment.contracts.market,
        fromBlock: numberToHex(parameters.fromBlock ?? chain.deployment.fromBlock),
        toBlock: parameters.toBlock === undefined ? 'latest' : numberToHex(parameters.toBlock),
        ...(parameters.orderId === undefined
          ? {}
          : { topics: [null, numberToHex(parameters.orderId, { size: 32 })] }),
      },
    ],
  })) as Log[]
  return parseEventLogs({ abi: marketAbi, logs: logs.map(normalizeLog) }).filter(
    (event): event is OrderEvent => orderEventNames.has(event.eventName),
  )
}

/** Raw RPC logs carry hex quantities where viem's parsed logs expect numbers. */
function normalizeLog(log: Log): Log {
  const raw = log as unknown as Record<string, unknown>
  const quantity = (value: unknown) =>
    typeof value === 'string' ? BigInt(value) : (value as bigint | null)
  return {
    ...log,
    blockNumber: quantity(raw.blockNumber),
    logIndex: raw.logIndex === null ? null : Number(raw.logIndex),
    transactionIndex: raw.transactionIndex === null ? null : Number(raw.transactionIndex),
  } as Log
}
