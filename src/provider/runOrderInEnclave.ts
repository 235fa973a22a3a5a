import { type Address, bytesToHex, type Hex } from 'viem'
import type { OrderTerms } from '../protocol/orderTerms.ts'
import type { EnclaveClient } from './enclaveClient.ts'

/**
 * Hands one order to the enclave runtime with its (encrypted) request and input, and returns the
 * encrypted output with the enclave's receipt signature, or the enclave's signed failure.
 */
export async function runOrderInEnclave(parameters: {
  enclave: EnclaveClient
  chainId: number
  protocol: Address
  orderId: bigint
  terms: OrderTerms
  request: Uint8Array
  inputCiphertext: Uint8Array
}): Promise<
  { output: Uint8Array; outputHash: Hex; signature: Hex } | { failure: number; signature: Hex }
> {
  const { terms } = parameters
  const result = await parameters.enclave.request('runOrder', {
    order: {
      chainId: parameters.chainId,
      protocol: parameters.protocol,
      orderId: parameters.orderId.toString(),
      requestHash: terms.requestHash,
      inputHash: terms.inputHash,
      solutionHash: terms.solutionHash,
    },
    request: bytesToHex(parameters.request),
    inputCiphertext: Buffer.from(parameters.inputCiphertext).toString('base64'),
  })
  if ('failure' in result) return result
  return {
    output: new Uint8Array(Buffer.from(result.output, 'base64')),
    outputHash: result.outputHash,
    signature: result.signature,
  }
}
