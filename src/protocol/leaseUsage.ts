import type { Address, TypedDataDomain } from 'viem'

/**
 * What an enclave signs for a lease after each request it serves (EIP-712, domain
 * {@link leasesDomain}): the lease's cumulative counters as that enclave saw them. Each counter
 * only grows, so of two usages signed by one enclave for one lease, the one with more requests
 * has at least as many tokens. The usage names the customer whose key signed every request it
 * counts, so requests someone else sends under the lease's id are never charged to it; the Solidity side is `USAGE_TYPEHASH` in
 * contracts/leases/LeaseMarket.sol; keep them identical (docs/protocol.md, "Leases").
 */
export const leaseUsageTypes = {
  LeaseUsage: [
    { name: 'leaseId', type: 'uint256' },
    { name: 'customer', type: 'address' },
    { name: 'tokensIn', type: 'uint64' },
    { name: 'tokensOut', type: 'uint64' },
    { name: 'requests', type: 'uint64' },
  ],
} as const

/** Cumulative usage of one lease by one enclave. */
export type LeaseUsage = {
  leaseId: bigint
  /** The lease's customer, whose key signed every request counted. */
  customer: Address
  tokensIn: bigint
  tokensOut: bigint
  requests: bigint
}

/** The same, with the enclave that signed it and its signature: what settles on-chain. */
export type SignedLeaseUsage = LeaseUsage & { enclave: Address; signature: `0x${string}` }

/** The EIP-712 domain of lease usage. */
export function leasesDomain(chainId: number, leases: Address): TypedDataDomain {
  return { name: 'BOCC Leases', version: '1', chainId, verifyingContract: leases }
}
