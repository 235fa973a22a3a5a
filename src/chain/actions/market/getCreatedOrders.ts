import type { Hash } from 'viem'
import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import { marketAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

export type GetCreatedOrdersParameters = {
  /** Only orders on this TEE offer (the event indexes it). */
  teeOfferId?: number
  /** Only orders of this customer. */
  customer?: `0x${string}`
  fromBlock: bigint
  toBlock: bigint
}

export type CreatedOrder = {
  orderId: bigint
  terms: OrderTerms
  blockNumber: bigint
  blockHash: Hash
  transactionHash: Hash
}

export type GetCreatedOrdersReturnType = CreatedOrder[]

/** Orders created in a block range (`OrderCreated` events), oldest first. */
export async function getCreatedOrders(
  chain: BoccChain,
  parameters: GetCreatedOrdersParameters,
): Promise<GetCreatedOrdersReturnType> {
  const logs = await chain.publicClient.getContractEvents({
    address: chain.deployment.contracts.market,
    abi: marketAbi,
    eventName: 'OrderCreated',
    args: {
      ...(parameters.teeOfferId === undefined ? {} : { teeOfferId: parameters.teeOfferId }),
      ...(parameters.customer === undefined ? {} : { customer: parameters.customer }),
    },
    fromBlock: parameters.fromBlock,
    toBlock: parameters.toBlock,
    strict: true,
  })
  return logs.map((log) => ({
    orderId: log.args.orderId,
    terms: log.args.terms,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
  }))
}
