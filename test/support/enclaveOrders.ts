import type { Address, Hex } from 'viem'
import { fetchOutputs } from '../../src/client/fetchResult.ts'
import { encryptObject } from '../../src/crypto/chunkedAead.ts'
import type { WrappedKey } from '../../src/crypto/hpke.ts'
import { generateHpkeKeyPair, type HpkeKeyPair } from '../../src/crypto/hpke.ts'
import type { EnclaveIdentity } from '../../src/protocol/enclaveInterface.ts'
import { encodeOrderRequest, sealOrderRequest } from '../../src/protocol/orderRequest.ts'
import type { OrderTerms } from '../../src/protocol/orderTerms.ts'
import type { EnclaveClient } from '../../src/provider/enclaveClient.ts'
import { runOrderInEnclave } from '../../src/provider/runOrderInEnclave.ts'
import type { BlobStore } from '../../src/storage/blobStore.ts'

export const testChain = {
  chainId: 31337,
  protocol: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address,
}

/**
 * Runs an order straight through the enclave runtime, as the provider would but without a chain:
 * the customer's side (encrypt the inputs, seal the request) and the host's (hand the blobs over),
 * then decrypts the outputs with the result key.
 */
export async function runTestOrder(parameters: {
  enclave: EnclaveClient
  identity: EnclaveIdentity
  blobs: BlobStore
  solution: { solutionHash: Hex; bundleHash: Hex }
  inputs: { name: string; bytes: Uint8Array }[]
  arguments?: string[]
  orderId: bigint
  solutionKeyRelease?: WrappedKey
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
  const terms = {
    requestHash,
    inputHash: hashes[0] as Hex,
    solutionHash: parameters.solution.solutionHash,
  } as OrderTerms
  const result = await runOrderInEnclave({
    enclave: parameters.enclave,
    ...testChain,
    orderId: parameters.orderId,
    terms,
    blobs,
    ...(parameters.solutionKeyRelease ? { solutionKeyRelease: parameters.solutionKeyRelease } : {}),
  })
  if ('failure' in result)
    return { ...result, requestHash: terms.requestHash, inputHash: terms.inputHash }
  await blobs.put(result.output)
  const { outputs } = await fetchOutputs({
    order: {
      orderId: parameters.orderId,
      status: 'completed',
      terms,
      completion: { outputHash: result.outputHash, signature: result.signature },
    },
    blobs,
    resultKey,
  })
  return { ...result, outputs }
}
