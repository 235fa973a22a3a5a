import type { ContractFunctionArgs, ContractFunctionName, ContractFunctionReturnType } from 'viem'
import { registryAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

type RegistryRead = ContractFunctionName<typeof registryAbi, 'view' | 'pure'>

/** Reads one registry view: what every registry read action is made of. */
export function readRegistry<functionName extends RegistryRead>(
  chain: BoccChain,
  functionName: functionName,
  args: ContractFunctionArgs<typeof registryAbi, 'view' | 'pure', functionName>,
  options: { blockNumber?: bigint } = {},
): Promise<ContractFunctionReturnType<typeof registryAbi, 'view' | 'pure', functionName>> {
  return chain.publicClient.readContract({
    address: chain.deployment.contracts.registry,
    abi: registryAbi,
    functionName,
    args,
    ...(options.blockNumber === undefined ? {} : { blockNumber: options.blockNumber }),
  } as never) as never
}
