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
