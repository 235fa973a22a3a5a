import type { ContractFunctionArgs, ContractFunctionName, ContractFunctionReturnType } from 'viem'
import { catalogAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

type CatalogRead = ContractFunctionName<typeof catalogAbi, 'view' | 'pure'>

/** Reads one catalog view. */
export function readCatalog<functionName extends CatalogRead>(
  chain: BoccChain,
  functionName: functionName,
  args: ContractFunctionArgs<typeof catalogAbi, 'view' | 'pure', functionName>,
): Promise<ContractFunctionReturnType<typeof catalogAbi, 'view' | 'pure', functionName>> {
  return chain.publicClient.readContract({
    address: chain.deployment.contracts.catalog,
    abi: catalogAbi,
    functionName,
    args,
  } as never) as never
}
