import type { ContractFunctionArgs, ContractFunctionName } from 'viem'
import { marketAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'

type MarketWrite = ContractFunctionName<typeof marketAbi, 'nonpayable'>

/** Sends one market call and waits for it: what every market write action is made of. */
export function writeMarket<functionName extends MarketWrite>(
  chain: BoccSigner,
  functionName: functionName,
  args: ContractFunctionArgs<typeof marketAbi, 'nonpayable', functionName>,
): Promise<WriteContractAndWaitReturnType> {
  return writeContractAndWait(chain, {
    address: chain.deployment.contracts.market,
    abi: marketAbi,
    functionName,
    args,
  } as never)
}
