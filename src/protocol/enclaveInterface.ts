import type { Address, Hex } from 'viem'
import type { TeeKind } from '../attestation/types.ts'

/**
 * The one narrow interface between the untrusted host (provider node) and the enclave runtime:
 * newline-delimited JSON over the runtime's stdin/stdout. Everything that crosses it is public or
 * encrypted; the runtime's stderr carries only its own one-line status messages.
 */
export type EnclaveIdentity = {
  tee: TeeKind
  signer: Address
  hpkePublicKey: Hex
  measurement: Hex
  solutionHash: Hex
}

/**
 * The order as the chain records it: what the receipt will be checked against. The terms travel
 * ABI-encoded (`abi.encode(terms)`, src/protocol/orderTerms.ts), so the enclave computes the order
 * id itself from exactly those bytes.
 */
export type OrderToRun = {
  chainId: number
  /** The market contract, the EIP-712 verifying contract of receipts and failures. */
  market: Address
  encodedTerms: Hex
}

export type EnclaveRequests = {
  identity: { params: Record<string, never>; result: EnclaveIdentity }
  /** Evidence whose report_data (v2) binds the enclave's keys to this provider, chain and registry. */
  attest: {
    params: { freshness: Hex; chainId: number; registry: Address; provider: Address }
    result: { evidence: Hex }
  }
  runOrder: {
    params: { order: OrderToRun; request: Hex; inputCiphertext: string }
    /** A signed receipt for the encrypted output, or a signed failure (reason code only). */
    result:
      | { output: string; outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
      | { failure: number; signature: Hex }
  }
}

export type EnclaveMethod = keyof EnclaveRequests

export type EnclaveRequestMessage<method extends EnclaveMethod = EnclaveMethod> = {
  id: number
  method: method
  params: EnclaveRequests[method]['params']
}

export type EnclaveResponseMessage = { id: number; result: unknown } | { id: number; error: string }
