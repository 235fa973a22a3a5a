import { concatBytes, type Hex, hexToBytes } from 'viem'
import { unwrapKey, type WrappedKey, wrapKey } from '../crypto/hpke.ts'

/**
 * A key release (docs/protocol.md, "Key release"): the owner of an encrypted solution (or data
 * set) seals its key to the executing enclave, for one order. HPKE base mode to the enclave's key,
 * info "BOCC/key-release/v1", aad = orderId (uint256, big-endian) ‖ the solution's (or data set's)
 * hash, so a release made for one order or one resource opens for no other.
 */
export const keyReleaseInfo = 'BOCC/key-release/v1'

export type KeyRelease = WrappedKey

export function keyReleaseAad(orderId: bigint, resourceHash: Hex): Uint8Array {
  return concatBytes([
    hexToBytes(`0x${orderId.toString(16).padStart(64, '0')}`),
    hexToBytes(resourceHash),
  ])
}

/** The owner's side: seals `key` to the enclave for this order and resource. */
export function releaseKey(parameters: {
  enclaveHpkePublicKey: Hex
  key: Uint8Array
  orderId: bigint
  resourceHash: Hex
}): Promise<KeyRelease> {
  return wrapKey({
    recipientPublicKey: parameters.enclaveHpkePublicKey,
    key: parameters.key,
    info: keyReleaseInfo,
    aad: keyReleaseAad(parameters.orderId, parameters.resourceHash),
  })
}

/** The enclave's side; throws KeyUnwrapError when the release is for another order, resource or key. */
export function openKeyRelease(parameters: {
  enclavePrivateKey: CryptoKey
  release: KeyRelease
  orderId: bigint
  resourceHash: Hex
}): Promise<Uint8Array> {
  return unwrapKey({
    recipientPrivateKey: parameters.enclavePrivateKey,
    wrapped: parameters.release,
    info: keyReleaseInfo,
    aad: keyReleaseAad(parameters.orderId, parameters.resourceHash),
  })
}
