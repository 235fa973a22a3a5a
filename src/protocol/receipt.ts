import type { Address, Hex, TypedDataDomain } from 'viem'

/**
 * The receipt an enclave signs for a finished order (EIP-712). The contract recovers the signer
 * with `ecrecover` and pays out only if it is the order's enclave and every hash matches the order.
 * The Solidity side is `RECEIPT_TYPEHASH` in contracts/BoccMarket.sol; keep the two identical.
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

export function marketDomain(chainId: number, market: Address): TypedDataDomain {
  return { name: 'BOCC Market', version: '1', chainId, verifyingContract: market }
}
