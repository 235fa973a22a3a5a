import { type Address, encodeAbiParameters, type Hex } from 'viem'
import type { WrappedKey } from '../crypto/hpke.ts'
import { decodeOrderRequest } from '../protocol/orderRequest.ts'
import { type OrderTerms, orderTermsParameter } from '../protocol/orderTerms.ts'
import type { EnclaveClient } from './enclaveClient.ts'

/** Where the host finds an order's blobs: the content-addressed blob store. */
export type BlobSource = { get(hash: Hex): Promise<Uint8Array> }

export type EnclaveOrderResult =
  | { output: Uint8Array; outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
  | { failure: number; message: string; signature: Hex }

/**
 * Hands one order to the enclave runtime: makes sure its solution is loaded (the bundle the
 * request names, fetched from the blob store only when the runtime does not hold it yet; for an
 * encrypted one, the owner's key release for this order), passes
 * the ABI-encoded terms (the enclave computes the order id from exactly these bytes) and the
 * (encrypted) request and inputs in bounded chunks, and returns the encrypted output with the
 * enclave's receipt, or the enclave's signed failure.
 */
export async function runOrderInEnclave(parameters: {
  enclave: Pick<EnclaveClient, 'request' | 'putBlob' | 'takeBlob'>
  chainId: number
  market: Address
  terms: OrderTerms
  blobs: BlobSource
  /** The solution owner's key release, for an encrypted solution. */
  solutionKeyRelease?: WrappedKey
  /** Asked for the release when the solution turns out encrypted and none was given. */
  fetchSolutionKeyRelease?: () => Promise<WrappedKey | undefined>
  /** Overrides what the blob store holds (tests that hand over other bytes). */
  request?: Uint8Array
  inputCiphertexts?: Uint8Array[]
}): Promise<EnclaveOrderResult> {
  const { enclave, terms, blobs } = parameters
  const requestBytes = parameters.request ?? (await blobs.get(terms.requestHash))
  const request = decodeOrderRequest(requestBytes)
  let solution = await enclave.request('loadSolution', { solutionHash: terms.solutionHash })
  if (!solution.loaded) {
    // A bundle that is missing or refused leaves the solution unloaded: the enclave signs reason 5.
    const bundle = await blobs.get(request.solutionBundleHash).catch(() => undefined)
    if (bundle)
      solution = await enclave
        .request('loadSolution', {
          solutionHash: terms.solutionHash,
          bundle: await enclave.putBlob(bundle),
        })
        .catch(() => solution)
  }
  // Without a release the enclave signs reason 4 (KeyNotReleased): the customer is refunded.
  const solutionKeyRelease =
    parameters.solutionKeyRelease ??
    (solution.encrypted ? await parameters.fetchSolutionKeyRelease?.() : undefined)
  const inputs =
    parameters.inputCiphertexts ??
    (await Promise.all(request.inputs.map((input) => blobs.get(input.inputHash))))
  const result = await enclave.request('runOrder', {
    order: {
      chainId: parameters.chainId,
      market: parameters.market,
      encodedTerms: encodeAbiParameters([orderTermsParameter], [terms]),
    },
    request: await enclave.putBlob(requestBytes),
    inputs: await Promise.all(inputs.map((input) => enclave.putBlob(input))),
    ...(solutionKeyRelease ? { solutionKeyRelease } : {}),
  })
  if ('failure' in result) return result
  return {
    output: await enclave.takeBlob(result.output),
    outputHash: result.outputHash,
    wrappedResultKey: result.wrappedResultKey,
    signature: result.signature,
  }
}
