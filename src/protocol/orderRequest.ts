import { type Address, concatBytes, type Hex, hexToBytes, isAddress, isHex } from 'viem'
import type { WrappedKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'

/**
 * The order request blob: what the customer tells the enclave, off-chain, addressed on-chain by
 * its SHA-256 (`requestHash`). It carries the input's data key wrapped to the enclave (HPKE) and
 * the public key the result must be encrypted to. Nothing in it is secret to the host.
 */
export type OrderRequest = {
  version: 1
  enclaveSigner: Address
  enclaveHpkePublicKey: Hex
  inputHash: Hex
  solutionHash: Hex
  /** The input's data key, sealed to the enclave under {@link dataKeyInfo} and {@link dataKeyAad}. */
  wrappedDataKey: WrappedKey
  /** X25519 public key the result key is sealed to. */
  resultPublicKey: Hex
}

export const dataKeyInfo = 'BOCC/data-key/v1'

/** The data key is bound to the input, the solution and where results go. */
export function dataKeyAad(
  request: Pick<OrderRequest, 'inputHash' | 'solutionHash' | 'resultPublicKey'>,
) {
  return concatBytes([
    hexToBytes(request.inputHash),
    hexToBytes(request.solutionHash),
    hexToBytes(request.resultPublicKey),
  ])
}

export class MalformedOrderRequestError extends BoccError {
  override name = 'MalformedOrderRequestError'
}

export function encodeOrderRequest(request: OrderRequest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(request))
}

export function decodeOrderRequest(bytes: Uint8Array): OrderRequest {
  let value: Partial<OrderRequest>
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedOrderRequestError('the order request is not JSON')
  }
  const hex32 = (field: unknown) => isHex(field) && field.length === 66
  if (
    value?.version !== 1 ||
    !isAddress(String(value.enclaveSigner)) ||
    !hex32(value.enclaveHpkePublicKey) ||
    !hex32(value.inputHash) ||
    !hex32(value.solutionHash) ||
    !hex32(value.resultPublicKey) ||
    !isHex(value.wrappedDataKey?.enc) ||
    !isHex(value.wrappedDataKey?.ciphertext)
  )
    throw new MalformedOrderRequestError('the order request is malformed')
  return value as OrderRequest
}
