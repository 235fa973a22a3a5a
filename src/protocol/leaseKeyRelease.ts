import { type Address, concatBytes, type Hex, hexToBytes, numberToBytes } from 'viem'
import { unwrapKey, type WrappedKey, wrapKey } from '../crypto/hpke.ts'

/**
 * A key release for a lease (docs/protocol.md, "Leases"): the owner of an encrypted chat model
 * seals its key to one attested enclave for one lease. HPKE base mode to the enclave's key, info
 * "BOCC/lease-key-release/v1", aad = chainId (uint256) ‖ lease market (20) ‖ leaseId (uint256) ‖
 * solutionHash (32), so it opens for no other lease, model or chain — and, being sealed to one
 * enclave's key, in no other enclave (a replacement enclave needs a release of its own).
 */
export const leaseKeyReleaseInfo = 'BOCC/lease-key-release/v1'

export type LeaseKeyReleaseScope = {
  chainId: number
  leases: Address
  leaseId: bigint
  solutionHash: Hex
}

export function leaseKeyReleaseAad(scope: LeaseKeyReleaseScope): Uint8Array {
  return concatBytes([
    numberToBytes(BigInt(scope.chainId), { size: 32 }),
    hexToBytes(scope.leases),
    numberToBytes(scope.leaseId, { size: 32 }),
    hexToBytes(scope.solutionHash),
  ])
}

/** The owner's side: seals the model's key to the enclave for this lease. */
export function releaseLeaseKey(
  parameters: LeaseKeyReleaseScope & { enclaveHpkePublicKey: Hex; key: Uint8Array },
): Promise<WrappedKey> {
  return wrapKey({
    recipientPublicKey: parameters.enclaveHpkePublicKey,
    key: parameters.key,
    info: leaseKeyReleaseInfo,
    aad: leaseKeyReleaseAad(parameters),
  })
}

/** The enclave's side; throws KeyUnwrapError for a release of another lease, model or enclave. */
export function openLeaseKeyRelease(
  parameters: LeaseKeyReleaseScope & { enclavePrivateKey: CryptoKey; release: WrappedKey },
): Promise<Uint8Array> {
  return unwrapKey({
    recipientPrivateKey: parameters.enclavePrivateKey,
    wrapped: parameters.release,
    info: leaseKeyReleaseInfo,
    aad: leaseKeyReleaseAad(parameters),
  })
}
