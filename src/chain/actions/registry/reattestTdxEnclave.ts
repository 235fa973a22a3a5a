import { bytesToHex } from 'viem'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import type { RegisterTdxEnclaveParameters } from './registerTdxEnclave.ts'
import { writeRegistry } from './writeRegistry.ts'

/** As for registration; keys, measurement and hardware must be the enclave's, its expiry no earlier. */
export type ReattestTdxEnclaveParameters = RegisterTdxEnclaveParameters

export type ReattestTdxEnclaveReturnType = WriteContractAndWaitReturnType

/**
 * Renews an enclave registered by on-chain verification with a fresh quote from the same
 * platform: after a platform update, its TCB status is judged from the new quote.
 */
export function reattestTdxEnclave(
  chain: BoccSigner,
  parameters: ReattestTdxEnclaveParameters,
): Promise<ReattestTdxEnclaveReturnType> {
  return writeRegistry(chain, 'reattestTdxEnclave', [
    parameters.registration,
    bytesToHex(parameters.quote),
    parameters.freshnessBlock,
  ])
}
