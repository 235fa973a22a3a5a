import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readRegistry } from './readRegistry.ts'

export type IsEnclaveUsableParameters = { enclave: Address; blockNumber?: bigint }

/** Whether the enclave is registered, not revoked, not expired and runs an allowed measurement. */
export function isEnclaveUsable(
  chain: BoccChain,
  parameters: IsEnclaveUsableParameters,
): Promise<boolean> {
  return readRegistry(chain, 'isEnclaveUsable', [parameters.enclave], parameters)
}
