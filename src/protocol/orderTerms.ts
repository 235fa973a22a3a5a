import {
  type AbiParameterToPrimitiveType,
  encodeAbiParameters,
  type Hex,
  hexToBigInt,
  keccak256,
} from 'viem'

/**
 * An order's terms as fixed at creation: the `OrderTerms` struct of
 * contracts/interfaces/IOrderTypes.sol, as an ABI parameter (src/chain/abis.test.ts checks the
 * two are the same). The chain stores only their hash, the order id; they are in the
 * `OrderCreated` event, every call that acts on the order passes them back, and the enclave
 * computes the id from them, so a receipt names every hash through the id alone.
 */
export const orderTermsParameter = {
  name: 'terms',
  type: 'tuple',
  components: [
    { name: 'customer', type: 'address' },
    { name: 'enclave', type: 'address' },
    { name: 'solutionVendor', type: 'address' },
    { name: 'dataVendor', type: 'address' },
    { name: 'teeOfferId', type: 'uint32' },
    { name: 'solutionOfferId', type: 'uint32' },
    { name: 'dataOfferId', type: 'uint32' },
    { name: 'acceptBy', type: 'uint40' },
    { name: 'deadline', type: 'uint40' },
    { name: 'teePrice', type: 'uint96' },
    { name: 'solutionPrice', type: 'uint96' },
    { name: 'dataPrice', type: 'uint96' },
    { name: 'fee', type: 'uint96' },
    { name: 'requestHash', type: 'bytes32' },
    { name: 'inputHash', type: 'bytes32' },
    { name: 'solutionHash', type: 'bytes32' },
    { name: 'dataHash', type: 'bytes32' },
  ],
} as const

export type OrderTerms = AbiParameterToPrimitiveType<typeof orderTermsParameter>

/** The order id: `uint256(keccak256(abi.encode(terms)))`, as the contract computes it. */
export function orderIdOf(terms: OrderTerms): bigint {
  return hexToBigInt(keccak256(encodeAbiParameters([orderTermsParameter], [terms])))
}

/** What the customer escrowed for an order. */
export function orderTotal(terms: OrderTerms): bigint {
  return terms.teePrice + terms.solutionPrice + terms.dataPrice + terms.fee
}

/** An order id (the hash of its terms) as people see it: 0x and 64 hex digits. */
export function formatOrderId(orderId: bigint): Hex {
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
