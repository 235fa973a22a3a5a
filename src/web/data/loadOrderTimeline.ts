import { formatEther, type Hash } from 'viem'
import { getOrderEvents, type OrderEvent } from '../../chain/actions/market/getOrderEvents.ts'
import type { BoccChain } from '../../chain/boccChain.ts'
import { type OrderRecord, orderRecordOf, UnknownOrderError } from '../../client/readOrder.ts'
import { describeFailureReason } from '../../protocol/failureReasons.ts'
import { orderTotal } from '../../protocol/orderTerms.ts'

/** One step of an order's life, as its event recorded it. */
export type TimelineStep = {
  /** `created`, `accepted`, `completed`, `challenged`, `answered`, `failed`, `refunded`, `cancelled`, `handedBack`. */
  kind: string
  title: string
  /** What happened, in words a non-expert can follow. */
  description: string
  blockNumber: bigint
  /** The block's time. */
  time: Date
  transactionHash: Hash
}

export type OrderTimeline = { record: OrderRecord; steps: TimelineStep[] }

/** An order's record and its lifecycle, step by step, with the block and time of each. */
export async function loadOrderTimeline(
  chain: BoccChain,
  parameters: { orderId: bigint; tokenSymbol: string },
): Promise<OrderTimeline> {
  const events = await getOrderEvents(chain, { orderId: parameters.orderId })
  const record = orderRecordOf(parameters.orderId, events)
  if (!record) throw new UnknownOrderError(parameters.orderId, chain.deployment.contracts.market)
  const blocks = [...new Set(events.map((event) => event.blockNumber))]
  const times = new Map(
    await Promise.all(
      blocks.map(
        async (blockNumber) =>
          [
            blockNumber,
            new Date(Number((await chain.publicClient.getBlock({ blockNumber })).timestamp) * 1000),
          ] as const,
      ),
    ),
  )
  const amount = (value: bigint) => `${formatEther(value)} ${parameters.tokenSymbol}`
  const steps = events.map((event): TimelineStep => {
    const { kind, title, description } = describeEvent(event, amount)
    return {
      kind,
      title,
      description,
      blockNumber: event.blockNumber,
      time: times.get(event.blockNumber) as Date,
      transactionHash: event.transactionHash,
    }
  })
  return { record, steps }
}

function describeEvent(
  event: OrderEvent,
  amount: (value: bigint) => string,
): { kind: string; title: string; description: string } {
  switch (event.eventName) {
    case 'OrderCreated':
      return {
        kind: 'created',
        title: 'Created',
        description: `The customer escrowed ${amount(orderTotal(event.args.terms))} for this order.`,
      }
    case 'OrderAccepted':
      return {
        kind: 'accepted',
        title: 'Accepted',
        description: 'The provider took the order and locked part of its stake as a guarantee.',
      }
    case 'OrderCompleted':
      return {
        kind: 'completed',
        title: 'Completed',
        description:
          'The enclave’s signed receipt was accepted: the sealed result key was published and the payouts were credited (they mature after the challenge window).',
      }
    case 'OrderChallenged':
      return {
        kind: 'challenged',
        title: 'Challenged',
        description: `The customer said the output was withheld; the provider must publish it by ${new Date(event.args.respondBy * 1000).toISOString()}.`,
      }
    case 'ChallengeAnswered':
      return {
        kind: 'answered',
        title: 'Challenge answered',
        description: 'The output was published on-chain; the payouts stand again.',
      }
    case 'OrderFailed':
      return {
        kind: 'failed',
        title: 'Failed',
        description: `The enclave signed that it could not run the order: ${describeFailureReason(event.args.reason)}. The escrow went back to the customer.`,
      }
    case 'OrderRefunded':
      return {
        kind: 'refunded',
        title: 'Refunded',
        description: `${amount(event.args.amount)} went back to the customer${event.args.slashed > 0n ? `, plus ${amount(event.args.slashed)} taken from the provider’s stake` : ''}.`,
      }
    case 'OrderCancelled':
      return {
        kind: 'cancelled',
        title: 'Cancelled',
        description: 'The customer cancelled before the provider accepted; the escrow went back.',
      }
    case 'OrderHandedBack':
      return {
        kind: 'handedBack',
        title: 'Handed back',
        description: `The provider gave the order back; the escrow and ${amount(event.args.fee)} of its stake went to the customer.`,
      }
  }
}
