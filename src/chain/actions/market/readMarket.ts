import type { ContractFunctionArgs, ContractFunctionName, ContractFunctionReturnType } from 'viem'
import { marketAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

type MarketRead = ContractFunctionName<typeof marketAbi, 'view' | 'pure'>

/** Reads one market view: what every market read action is made of. */
export function readMarket<functionName extends MarketRead>(
  chain: BoccChain,
  functionName: functionName,
  args: ContractFunctionArgs<typeof marketAbi, 'view' | 'pure', functionName>,
  options: { blockNumber?: bigint } = {},
): Promise<ContractFunctionReturnType<typeof marketAbi, 'view' | 'pure', functionName>> {
  return chain.publicClient.readContract({
    address: chain.deployment.contracts.market,
    abi: marketAbi,
    functionName,
    args,
    ...(options.blockNumber === undefined ? {} : { blockNumber: options.blockNumber }),
  } as never) as never
}
