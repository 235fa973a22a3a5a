import { bytesToHex } from 'viem'
import type { EnclaveRegistration } from '../../../protocol/enclaveApproval.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeRegistry } from './writeRegistry.ts'

export type RegisterTdxEnclaveParameters = {
  /** Its `evidenceHash` is SHA-256 of `quote`; `hardware` is TDX. */
  registration: EnclaveRegistration
  /** The enclave's TDX quote, whose report_data binds the registration (report_data v2). */
  quote: Uint8Array
  /** The block whose hash is the quote's freshness value: one of the last 256. */
  freshnessBlock: bigint
}

export type RegisterTdxEnclaveReturnType = WriteContractAndWaitReturnType

/**
 * Registers a TDX enclave of the caller without committee approvals: the registry verifies the
 * quote on-chain against the collateral already posted and binds its platform to the caller.
 */
export function registerTdxEnclave(
  chain: BoccSigner,
  parameters: RegisterTdxEnclaveParameters,
): Promise<RegisterTdxEnclaveReturnType> {
  return writeRegistry(chain, 'registerTdxEnclave', [
    parameters.registration,
    bytesToHex(parameters.quote),
    parameters.freshnessBlock,
  ])
}
