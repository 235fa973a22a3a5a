import type { Address, TypedDataDomain } from 'viem'

/**
 * What an enclave signs for an order (EIP-712, domain {@link marketDomain}). The order id is the
 * hash of the whole terms, so these name every hash of the order through it. The Solidity side
 * is `RECEIPT_TYPEHASH` and `FAILURE_TYPEHASH` in contracts/market/OrderLifecycle.sol; keep them
 * identical.
 *
 * - Receipt: the output's hash and the result key sealed to the customer, which submitting the
 *   receipt reveals on-chain: the customer can read the result exactly when the provider is paid.
 * - Failure: a reason code (src/protocol/failureReasons.ts), nothing of the input.
 */
export const receiptTypes = {
  Receipt: [
    { name: 'orderId', type: 'uint256' },
    { name: 'outputHash', type: 'bytes32' },
    { name: 'wrappedResultKey', type: 'bytes' },
  ],
} as const

export const failureTypes = {
  Failure: [
    { name: 'orderId', type: 'uint256' },
    { name: 'reason', type: 'uint8' },
  ],
} as const

/** The EIP-712 domain of every enclave statement the market checks. */
export function marketDomain(chainId: number, market: Address): TypedDataDomain {
  return { name: 'BOCC', version: '2', chainId, verifyingContract: market }
}
