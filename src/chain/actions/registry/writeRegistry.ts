import type { ContractFunctionArgs, ContractFunctionName } from 'viem'
import { registryAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'

type RegistryWrite = ContractFunctionName<typeof registryAbi, 'nonpayable'>

/** Sends one registry call and waits for it. */
export function writeRegistry<functionName extends RegistryWrite>(
  chain: BoccSigner,
  functionName: functionName,
  args: ContractFunctionArgs<typeof registryAbi, 'nonpayable', functionName>,
): Promise<WriteContractAndWaitReturnType> {
  return writeContractAndWait(chain, {
    address: chain.deployment.contracts.registry,
    abi: registryAbi,
    functionName,
    args,
  } as never)
}
