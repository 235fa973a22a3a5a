import { type ContractFunctionArgs, type Hash, parseEventLogs } from 'viem'
import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import { marketAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { writeMarket } from './writeMarket.ts'

/** What a customer asks for: the `OrderParams` struct of IOrders.sol. */
export type OrderParams = ContractFunctionArgs<typeof marketAbi, 'nonpayable', 'createOrder'>[0]

export type CreateOrderParameters = { params: OrderParams }

export type CreateOrderReturnType = {
  orderId: bigint
  /** The terms the market fixed (prices, vendors, data hash), as its `OrderCreated` event gave them. */
  terms: OrderTerms
  transactionHash: Hash
  blockNumber: bigint
}

/** Creates an order and escrows its price from the caller's market balance (or wallet). */
export async function createOrder(
  chain: BoccSigner,
  parameters: CreateOrderParameters,
): Promise<CreateOrderReturnType> {
  const { hash, receipt } = await writeMarket(chain, 'createOrder', [parameters.params])
  const [created] = parseEventLogs({
    abi: marketAbi,
    eventName: 'OrderCreated',
    logs: receipt.logs,
  })
  if (!created) throw new Error('unreachable: createOrder emits OrderCreated')
  return {
    orderId: created.args.orderId,
    terms: created.args.terms,
    transactionHash: hash,
    blockNumber: receipt.blockNumber,
  }
}
