import { bytesToHex, encodeAbiParameters, type Hex } from 'viem'
import { type OrderTerms, orderTermsParameter } from '../protocol/orderTerms.ts'
import type { EnclaveClient } from './enclaveClient.ts'

export type EnclaveOutcome =
  | { output: Uint8Array; outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
  | { failure: number; signature: Hex }

/**
 * Hands one order to the enclave runtime with its (encrypted) request and input, and returns the
 * encrypted output with the enclave's receipt, or the enclave's signed failure. The terms go
 * ABI-encoded: the enclave computes the order id from exactly these bytes.
 */
export async function runOrderInEnclave(parameters: {
  enclave: Pick<EnclaveClient, 'request'>
  chainId: number
  market: `0x${string}`
  terms: OrderTerms
  request: Uint8Array
  inputCiphertext: Uint8Array
}): Promise<EnclaveOutcome> {
  const result = await parameters.enclave.request('runOrder', {
    order: {
      chainId: parameters.chainId,
      market: parameters.market,
      encodedTerms: encodeAbiParameters([orderTermsParameter], [parameters.terms]),
    },
    request: bytesToHex(parameters.request),
    inputCiphertext: Buffer.from(parameters.inputCiphertext).toString('base64'),
  })
  if ('failure' in result) return result
  return {
    output: new Uint8Array(Buffer.from(result.output, 'base64')),
    outputHash: result.outputHash,
    wrappedResultKey: result.wrappedResultKey,
    signature: result.signature,
  }
}
