import { type Hash, type Log, parseEventLogs } from 'viem'
import { marketAbi } from '../../abis.ts'
import { decodeBoccError } from '../../writeContractAndWait.ts'

/** An order a batch call skipped, with the custom error the single call would have raised. */
export type SkippedOrder = { orderId: bigint; errorName: string; args: readonly unknown[] }

/** What one batch call did: the orders it acted on (by the event it emits for each) and those it skipped. */
export type BatchOutcome = { done: bigint[]; skipped: SkippedOrder[]; transactionHash: Hash }

type OrderEventName = 'OrderAccepted' | 'OrderCompleted' | 'OrderFailed'

export function batchOutcome(
  logs: Log[],
  doneEvent: OrderEventName,
  transactionHash: Hash,
): BatchOutcome {
  const events = parseEventLogs({ abi: marketAbi, logs })
  const done: bigint[] = []
  const skipped: SkippedOrder[] = []
  for (const event of events) {
    if (event.eventName === doneEvent) done.push(event.args.orderId)
    if (event.eventName === 'OrderSkipped') {
      const decoded = decodeBoccError(event.args.reason)
      skipped.push({
        orderId: event.args.orderId,
        errorName: decoded?.errorName ?? 'unknown error',
        args: decoded?.args ?? [],
      })
    }
  }
  return { done, skipped, transactionHash }
}
