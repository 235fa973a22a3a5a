import type { Address, Hex } from 'viem'
import type { TeeKind } from '../attestation/types.ts'

/**
 * What a committee verifier signs (EIP-712, domain {@link protocolDomain}) after checking an
 * enclave's evidence: exactly the fields the contract stores. The Solidity side is
 * `ENCLAVE_APPROVAL_TYPEHASH` in contracts/modules/EnclaveRegistry.sol; keep the two identical.
 */
export const enclaveApprovalTypes = {
  EnclaveApproval: [
    { name: 'enclave', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'hardware', type: 'uint8' },
    { name: 'expiresAt', type: 'uint40' },
    { name: 'measurement', type: 'bytes32' },
    { name: 'hpkePublicKey', type: 'bytes32' },
    { name: 'evidenceHash', type: 'bytes32' },
  ],
} as const

export type EnclaveRegistration = {
  enclave: Address
  provider: Address
  hardware: number
  expiresAt: number
  measurement: Hex
  hpkePublicKey: Hex
  evidenceHash: Hex
}

/** Hardware kinds as the contracts number them. */
export const hardwareKinds = { sim: 0, tdx: 1, 'sev-snp': 2, sgx: 3, 'nvidia-cc': 4 } as const

export function hardwareOf(tee: TeeKind): number {
  return hardwareKinds[tee]
}
