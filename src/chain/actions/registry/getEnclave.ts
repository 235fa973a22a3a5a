import type { Address, ContractFunctionReturnType } from 'viem'
import type { registryAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'
import { readRegistry } from './readRegistry.ts'

export type EnclaveRecord = ContractFunctionReturnType<typeof registryAbi, 'view', 'getEnclave'>

export type GetEnclaveParameters = {
  enclave: Address
  /** Read the record as of this block (an archive node serves old blocks). */
  blockNumber?: bigint
}

export type GetEnclaveReturnType = EnclaveRecord | undefined

/** An enclave's on-chain record, or undefined if it was never registered. */
export async function getEnclave(
  chain: BoccChain,
  parameters: GetEnclaveParameters,
): Promise<GetEnclaveReturnType> {
  const record = await readRegistry(chain, 'getEnclave', [parameters.enclave], parameters)
  return record.status === 0 ? undefined : record
}
