import { wrapKey } from '../crypto/hpke.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import { decodeOrderRequest } from '../protocol/orderRequest.ts'
import type { OrderTerms } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'

/**
 * Why this provider cannot serve an order, checked from public data before it accepts (an order
 * it cannot serve must never be accepted, or the customer could have it slashed): the request and
 * every blob the enclave will need are in the blob store, the request is addressed to this
 * enclave's keys for the order's solution and first input, and its result key is a key the
 * enclave can seal to. Undefined when it can be served.
 */
export async function whyNotServable(parameters: {
  terms: OrderTerms
  identity: Pick<EnclaveIdentity, 'signer' | 'hpkePublicKey'>
  blobs: Pick<BlobStore, 'get' | 'has'>
}): Promise<string | undefined> {
  const { terms, identity, blobs } = parameters
  let requestBytes: Uint8Array
  try {
    requestBytes = await blobs.get(terms.requestHash)
  } catch {
    return 'the order request is not in the blob store'
  }
  let request: ReturnType<typeof decodeOrderRequest>
  try {
    request = decodeOrderRequest(requestBytes)
  } catch {
    return 'the order request is malformed'
  }
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  if (!same(request.enclaveSigner, identity.signer))
    return 'the order request is addressed to another enclave'
  if (!same(request.enclaveHpkePublicKey, identity.hpkePublicKey))
    return 'the order request seals its secrets to another enclave key'
  if (!same(request.solutionHash, terms.solutionHash))
    return 'the order request names another solution than the order'
  if (!request.inputs[0] || !same(request.inputs[0].inputHash, terms.inputHash))
    return 'the order request’s first input is not the order’s inputHash'
  for (const input of request.inputs)
    if (!(await blobs.has(input.inputHash))) return `input ${input.name} is not in the blob store`
  if (!(await blobs.has(request.solutionBundleHash)))
    return 'the solution bundle is not in the blob store'
  try {
    // A low-order or malformed X25519 key would leave the enclave unable to seal the result.
    await wrapKey({
      recipientPublicKey: request.resultPublicKey,
      key: new Uint8Array(32),
      info: 'BOCC/result-key-check',
      aad: new Uint8Array(0),
    })
  } catch {
    return 'the order’s result key is not a key the enclave can seal to'
  }
  return undefined
}
