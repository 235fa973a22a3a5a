import type { Address, Hex } from 'viem'

/**
 * An order's terms as fixed at creation (the `OrderTerms` struct of contracts/interfaces/IOrders.sol).
 * The chain stores only their hash; they are in the `OrderCreated` event, and every call that acts
 * on the order passes them back.
 */
export type OrderTerms = {
  customer: Address
  enclave: Address
  teeOfferId: number
  solutionOfferId: number
  dataOfferId: number
  acceptBy: number
  deadline: number
  teePrice: bigint
  solutionPrice: bigint
  dataPrice: bigint
  fee: bigint
  requestHash: Hex
  inputHash: Hex
  solutionHash: Hex
}

/** What the customer escrowed for an order. */
export function orderTotal(terms: OrderTerms): bigint {
  return terms.teePrice + terms.solutionPrice + terms.dataPrice + terms.fee
}

/** An order id (the hash of its terms) as people see it: 0x and 64 hex digits. */
export function formatOrderId(orderId: bigint): string {
  return `0x${orderId.toString(16).padStart(64, '0')}`
}

/** Reads an order id written in hex (0x…) or decimal; undefined if it is neither. */
export function parseOrderId(text: string): bigint | undefined {
  if (/^0x[0-9a-fA-F]{1,64}$/.test(text) || /^\d{1,78}$/.test(text)) {
    const id = BigInt(text)
    return id < 2n ** 256n ? id : undefined
  }
  return undefined
}
