import type { Hex } from 'viem'
import type { EnclaveRegistration } from '../../../protocol/enclaveApproval.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeRegistry } from './writeRegistry.ts'

export type RegisterEnclaveOnPlatformParameters = {
  registration: EnclaveRegistration
  /** The platform the committee read from the evidence (SEV-SNP: SHA-256 of CHIP_ID). */
  platform: Hex
  /** The committee epoch the approvals were signed for. */
  committeeEpoch: bigint
  /** Committee members' EIP-712 `EnclavePlatformApproval`s, in increasing signer order. */
  approvals: readonly Hex[]
}

export type RegisterEnclaveOnPlatformReturnType = WriteContractAndWaitReturnType

/**
 * Registers an enclave of the caller with the committee's approvals and binds its hardware
 * platform to the caller: refused while another provider's enclave on that platform is live.
 */
export function registerEnclaveOnPlatform(
  chain: BoccSigner,
  parameters: RegisterEnclaveOnPlatformParameters,
): Promise<RegisterEnclaveOnPlatformReturnType> {
  return writeRegistry(chain, 'registerEnclaveOnPlatform', [
    parameters.registration,
    parameters.platform,
    parameters.committeeEpoch,
    parameters.approvals,
  ])
}
