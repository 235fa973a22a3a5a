import type { Address, Hex, TypedDataDomain } from 'viem'

/**
 * The receipt an enclave signs for a finished order (EIP-712). The contract recovers the signer
 * with `ecrecover` and pays out only if it is the order's enclave and every hash matches the order.
 * The Solidity side is `RECEIPT_TYPEHASH` in contracts/modules/Orders.sol; keep the two identical.
 */
export const receiptTypes = {
  Receipt: [
    { name: 'orderId', type: 'uint256' },
    { name: 'requestHash', type: 'bytes32' },
    { name: 'inputHash', type: 'bytes32' },
    { name: 'solutionHash', type: 'bytes32' },
    { name: 'outputHash', type: 'bytes32' },
  ],
} as const

export type Receipt = {
  orderId: bigint
  /** SHA-256 of the order request blob (wrapped data key, result public key, input hash). */
  requestHash: Hex
  /** SHA-256 of the input ciphertext. */
  inputHash: Hex
  /** SHA-256 of the solution (model) bundle that ran. */
  solutionHash: Hex
  /** SHA-256 of the output ciphertext blob. */
  outputHash: Hex
}

/** The EIP-712 domain of every signature the protocol contract checks. */
export function protocolDomain(chainId: number, protocol: Address): TypedDataDomain {
  return { name: 'BOCC', version: '1', chainId, verifyingContract: protocol }
}

/**
 * What an enclave signs (EIP-712) when it cannot run an order because of its input: the escrow
 * then goes back to the customer without slashing the provider. The Solidity side is
 * `FAILURE_TYPEHASH` in contracts/modules/Orders.sol; keep the two identical.
 */
export const failureTypes = {
  Failure: [
    { name: 'orderId', type: 'uint256' },
    { name: 'requestHash', type: 'bytes32' },
    { name: 'inputHash', type: 'bytes32' },
    { name: 'solutionHash', type: 'bytes32' },
    { name: 'reason', type: 'uint8' },
  ],
} as const
