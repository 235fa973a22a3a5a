import type { Hex } from 'viem'
import type { EnclaveRegistration } from '../../../protocol/enclaveApproval.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeRegistry } from './writeRegistry.ts'

export type RegisterEnclaveParameters = {
  registration: EnclaveRegistration
  /** The committee epoch the approvals were signed for. */
  committeeEpoch: bigint
  /** Committee members' EIP-712 approvals, in increasing signer order. */
  approvals: readonly Hex[]
}

export type RegisterEnclaveReturnType = WriteContractAndWaitReturnType

/** Registers an enclave of the caller with the committee's approvals. */
export function registerEnclave(
  chain: BoccSigner,
  parameters: RegisterEnclaveParameters,
): Promise<RegisterEnclaveReturnType> {
  return writeRegistry(chain, 'registerEnclave', [
    parameters.registration,
    parameters.committeeEpoch,
    parameters.approvals,
  ])
}
