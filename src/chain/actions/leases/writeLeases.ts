import type { ContractFunctionArgs, ContractFunctionName } from 'viem'
import { leasesAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'
import { leasesAddress } from './leasesAddress.ts'

type LeasesWrite = ContractFunctionName<typeof leasesAbi, 'nonpayable'>

/** Sends one lease-market call and waits for it: what every lease write action is made of. */
export function writeLeases<functionName extends LeasesWrite>(
  chain: BoccSigner,
  functionName: functionName,
  args: ContractFunctionArgs<typeof leasesAbi, 'nonpayable', functionName>,
): Promise<WriteContractAndWaitReturnType> {
  return writeContractAndWait(chain, {
    address: leasesAddress(chain),
    abi: leasesAbi,
    functionName,
    args,
  } as never)
}
