import type { ContractFunctionArgs, ContractFunctionName, ContractFunctionReturnType } from 'viem'
import { leasesAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'
import { leasesAddress } from './leasesAddress.ts'

type LeasesRead = ContractFunctionName<typeof leasesAbi, 'view' | 'pure'>

/** Reads one lease-market view: what every lease read action is made of. */
export function readLeases<functionName extends LeasesRead>(
  chain: BoccChain,
  functionName: functionName,
  args: ContractFunctionArgs<typeof leasesAbi, 'view' | 'pure', functionName>,
): Promise<ContractFunctionReturnType<typeof leasesAbi, 'view' | 'pure', functionName>> {
  return chain.publicClient.readContract({
    address: leasesAddress(chain),
    abi: leasesAbi,
    functionName,
    args,
  } as never) as never
}
