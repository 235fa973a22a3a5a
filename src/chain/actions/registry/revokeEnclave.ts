import type { Address } from 'viem'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeRegistry } from './writeRegistry.ts'

export type RevokeEnclaveParameters = { enclave: Address }

export type RevokeEnclaveReturnType = WriteContractAndWaitReturnType

/** Revokes one of the caller's enclaves. */
export function revokeEnclave(
  chain: BoccSigner,
  parameters: RevokeEnclaveParameters,
): Promise<RevokeEnclaveReturnType> {
  return writeRegistry(chain, 'revokeEnclave', [parameters.enclave])
}
