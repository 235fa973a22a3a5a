import type { Address, Hex, TypedDataDomain } from 'viem'
import type { TeeKind } from '../attestation/types.ts'

/**
 * What a committee verifier signs (EIP-712, domain {@link registryDomain}) after checking an
 * enclave's evidence: exactly the fields the registry stores, and the committee epoch it signs
 * for (approvals count only in that epoch). The Solidity side is `ENCLAVE_APPROVAL_TYPEHASH` in
 * contracts/registry/EnclaveRegistry.sol; keep the two identical.
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
    { name: 'collateralHash', type: 'bytes32' },
    { name: 'gpuEvidenceHash', type: 'bytes32' },
    { name: 'committeeEpoch', type: 'uint64' },
  ],
} as const

/**
 * An approval that also binds the enclave's hardware platform, for evidence the registry cannot
 * verify itself (SEV-SNP: `platform` = SHA-256 of the report's 64-byte CHIP_ID), checked by the
 * committee against the evidence (`ENCLAVE_PLATFORM_APPROVAL_TYPEHASH`, `registerEnclaveOnPlatform`).
 */
export const enclavePlatformApprovalTypes = {
  EnclavePlatformApproval: [
    ...enclaveApprovalTypes.EnclaveApproval.slice(0, -1),
    { name: 'platform', type: 'bytes32' },
    { name: 'committeeEpoch', type: 'uint64' },
  ],
} as const

/** What k committee members sign to revoke an enclave (`ENCLAVE_REVOCATION_TYPEHASH`). */
export const enclaveRevocationTypes = {
  EnclaveRevocation: [
    { name: 'enclave', type: 'address' },
    { name: 'committeeEpoch', type: 'uint64' },
  ],
} as const

/** The `EnclaveRegistration` struct of contracts/interfaces/IEnclaveRegistry.sol. */
export type EnclaveRegistration = {
  enclave: Address
  provider: Address
  hardware: number
  expiresAt: number
  measurement: Hex
  hpkePublicKey: Hex
  evidenceHash: Hex
  collateralHash: Hex
  gpuEvidenceHash: Hex
}

/** The EIP-712 domain of committee approvals. */
export function registryDomain(chainId: number, registry: Address): TypedDataDomain {
  return { name: 'BOCC', version: '2', chainId, verifyingContract: registry }
}

/**
 * Hardware kinds as the contracts number them: the `Hardware` enum of IEnclaveRegistry.sol
 * (Sim, Tdx, SevSnp, Sgx, NvidiaCc), keyed by the attestation library's TEE names.
 */
export const hardwareKinds = { sim: 0, tdx: 1, 'sev-snp': 2, sgx: 3, 'nvidia-cc': 4 } as const

export function hardwareOf(tee: TeeKind): number {
  return hardwareKinds[tee]
}

/** The TEE name of a hardware kind, or undefined for a number the contracts do not define. */
export function teeOfHardware(hardware: number): TeeKind | undefined {
  return (Object.keys(hardwareKinds) as TeeKind[]).find((tee) => hardwareKinds[tee] === hardware)
}
