import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readRegistry } from './readRegistry.ts'

export type IsTcbSuspendedParameters = { enclave: Address; blockNumber?: bigint }

/**
 * Whether an enclave verified on-chain is suspended: its platform is below the accepted TCB
 * status under the collateral stored now, or that collateral is missing or out of date.
 */
export function isTcbSuspended(
  chain: BoccChain,
  parameters: IsTcbSuspendedParameters,
): Promise<boolean> {
  return readRegistry(chain, 'isTcbSuspended', [parameters.enclave], parameters)
}
