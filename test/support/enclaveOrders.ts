import type { Address, Hex } from 'viem'
import { fetchOutputs } from '../../src/client/fetchResult.ts'
import { encryptObject } from '../../src/crypto/chunkedAead.ts'
import type { WrappedKey } from '../../src/crypto/hpke.ts'
import { generateHpkeKeyPair, type HpkeKeyPair } from '../../src/crypto/hpke.ts'
import type { EnclaveIdentity } from '../../src/protocol/enclaveInterface.ts'
import { encodeOrderRequest, sealOrderRequest } from '../../src/protocol/orderRequest.ts'
import { type OrderTerms, orderIdOf } from '../../src/protocol/orderTerms.ts'
import type { EnclaveClient } from '../../src/provider/enclaveClient.ts'
import { runOrderInEnclave } from '../../src/provider/runOrderInEnclave.ts'
import type { BlobStore } from '../../src/storage/blobStore.ts'

export const testChain = {
  chainId: 31337,
  market: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address,
}

const zeroAddress = '0x0000000000000000000000000000000000000000' as Address
const zeroHash = `0x${'00'.repeat(32)}` as Hex

/**
 * Runs an order straight through the enclave runtime, as the provider would but without a chain:
 * the customer's side (encrypt the inputs, seal the request, fix the terms; `nonce` makes the
 * terms, and so the order id, differ between otherwise equal orders) and the host's (hand the
 * blobs over), then decrypts the outputs with the result key. `rerun` hands the very same order
 * to the runtime again.
 */
export async function runTestOrder(parameters: {
  enclave: EnclaveClient
  identity: EnclaveIdentity
  blobs: BlobStore
  solution: { solutionHash: Hex; bundleHash: Hex }
  inputs: { name: string; bytes: Uint8Array }[]
  arguments?: string[]
  nonce: number
  /** A key release for this order, made once its id is known. */
  solutionKeyRelease?: (orderId: bigint) => Promise<WrappedKey>
}) {
  const { blobs, identity } = parameters
  const sealed = await Promise.all(parameters.inputs.map((input) => encryptObject(input.bytes)))
  const hashes = await Promise.all(sealed.map((item) => blobs.put(item.ciphertext)))
  const resultKey: HpkeKeyPair = await generateHpkeKeyPair()
  const request = await sealOrderRequest({
    enclaveSigner: identity.signer,
    enclaveHpkePublicKey: identity.hpkePublicKey,
    solutionHash: parameters.solution.solutionHash,
    solutionBundleHash: parameters.solution.bundleHash,
    inputs: parameters.inputs.map((input, i) => ({
      name: input.name,
      inputHash: hashes[i] as Hex,
      dataKey: (sealed[i] as { key: Uint8Array }).key,
    })),
    ...(parameters.arguments ? { arguments: parameters.arguments } : {}),
    resultPublicKey: resultKey.publicKey,
  })
  const requestHash = await blobs.put(encodeOrderRequest(request))
  const terms: OrderTerms = {
    customer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    enclave: identity.signer,
    solutionVendor: zeroAddress,
    dataVendor: zeroAddress,
    teeOfferId: 1,
    solutionOfferId: 0,
    dataOfferId: 0,
    acceptBy: parameters.nonce,
    deadline: 2 ** 32,
    teePrice: 0n,
    solutionPrice: 0n,
    dataPrice: 0n,
    fee: 0n,
    requestHash,
    inputHash: hashes[0] as Hex,
    solutionHash: parameters.solution.solutionHash,
    dataHash: zeroHash,
  }
  const orderId = orderIdOf(terms)
  const run = async (enclave: EnclaveClient) => {
    const release = await parameters.solutionKeyRelease?.(orderId)
    const result = await runOrderInEnclave({
      enclave,
      ...testChain,
      terms,
      blobs,
      ...(release ? { solutionKeyRelease: release } : {}),
    })
    if ('failure' in result) return { ...result, orderId, requestHash, inputHash: terms.inputHash }
    await blobs.put(result.output)
    const { outputs } = await fetchOutputs({
      order: {
        orderId,
        status: 'completed',
        terms,
        blocks: { created: 0n },
        completion: {
          outputHash: result.outputHash,
          wrappedResultKey: result.wrappedResultKey,
          signature: result.signature,
        },
      },
      blobs,
      resultKey,
    })
    return { ...result, orderId, outputs }
  }
  return { ...(await run(parameters.enclave)), rerun: () => run(parameters.enclave) }
}
