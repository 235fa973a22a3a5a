import type { ContractFunctionArgs, ContractFunctionName } from 'viem'
import { catalogAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'

type CatalogWrite = ContractFunctionName<typeof catalogAbi, 'nonpayable'>

/** Sends one catalog call and waits for it. */
export function writeCatalog<functionName extends CatalogWrite>(
  chain: BoccSigner,
  functionName: functionName,
  args: ContractFunctionArgs<typeof catalogAbi, 'nonpayable', functionName>,
): Promise<WriteContractAndWaitReturnType> {
  return writeContractAndWait(chain, {
    address: chain.deployment.contracts.catalog,
    abi: catalogAbi,
    functionName,
    args,
  } as never)
}
