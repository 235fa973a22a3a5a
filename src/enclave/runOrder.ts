import { concatBytes, decodeAbiParameters, type Hex, hexToBytes, keccak256, toBytes } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { decryptObject, encryptObject } from '../crypto/chunkedAead.ts'
import { type WrappedKey, wrapKey } from '../crypto/hpke.ts'
import { sha256Of } from '../crypto/sha256.ts'
import { BoccError } from '../errors.ts'
import type { OrderToRun } from '../protocol/enclaveInterface.ts'
import { type FailureReason, failureReasons } from '../protocol/failureReasons.ts'
import { checkArguments, checkInput, inputHeadBytes } from '../protocol/inputLimits.ts'
import type { NamedBlob } from '../protocol/namedBlobs.ts'
import {
  decodeOrderRequest,
  type OrderSecrets,
  openOrderSecrets,
} from '../protocol/orderRequest.ts'
import { type OrderTerms, orderTermsParameter } from '../protocol/orderTerms.ts'
import { failureTypes, marketDomain, receiptTypes } from '../protocol/receipt.ts'
import { encodeWrappedResultKey, resultKeyAad, resultKeyInfo } from '../protocol/resultKey.ts'
import { encodeResultOutputs } from '../protocol/resultOutputs.ts'
import type { SolutionCache } from './solutionCache.ts'

export class OrderRejectedError extends BoccError {
  override name = 'OrderRejectedError'
}

export type EnclaveState = {
  signer: LocalAccount
  hpkePublicKey: Hex
  hpkePrivateKey: CryptoKey
  solutions: SolutionCache
}

export type RunOrderParameters = {
  order: OrderToRun
  request: Uint8Array
  /** The inputs' ciphertexts, in the request's order. */
  inputCiphertexts: Uint8Array[]
  solutionKeyRelease?: WrappedKey
}

export type RunOrderResult =
  | { output: Uint8Array; outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
  /** The order matched, but could not run: a signed failure, reason code only. */
  | { failure: FailureReason; message: string; signature: Hex }

/** The seed of a WASM job's random bytes and clocks: fixed by the order, so runs repeat exactly. */
export function jobSeedOf(orderId: bigint): Uint8Array {
  return hexToBytes(
    sha256Of(
      concatBytes([
        toBytes('BOCC/wasi-seed/v1'),
        hexToBytes(`0x${orderId.toString(16).padStart(64, '0')}`),
      ]),
    ),
  )
}

/**
 * Runs one order inside the enclave: decodes the terms and computes the order id from them (so the
 * receipt names every hash of the order through the id), checks every hash against the order, readies its solution
 * (loaded by hash; an encrypted one opened with its owner's key release for this order), opens the
 * order's secrets, decrypts the inputs, checks them against the solution's declared limits, runs
 * the job isolated and bounded, encrypts the outputs to the customer and signs the receipt. When
 * the order matches but cannot run, it signs a failure with a reason code. Requests that do not
 * match the order are refused and signed by nobody. Plaintext exists only in this function's
 * memory and the job's; it is zeroed when done.
 */
export async function runOrder(
  state: EnclaveState,
  parameters: RunOrderParameters,
): Promise<RunOrderResult> {
  const { order } = parameters
  let terms: OrderTerms
  try {
    ;[terms] = decodeAbiParameters([orderTermsParameter], order.encodedTerms)
  } catch {
    throw new OrderRejectedError('the order terms are not ABI-encoded OrderTerms')
  }
  const orderId = BigInt(keccak256(order.encodedTerms))
  if (terms.enclave.toLowerCase() !== state.signer.address.toLowerCase())
    throw new OrderRejectedError('the order is for another enclave')
  if (sha256Of(parameters.request) !== terms.requestHash)
    throw new OrderRejectedError('the order request does not match the order’s requestHash')
  const request = decodeOrderRequest(parameters.request)
  if (request.enclaveSigner.toLowerCase() !== state.signer.address.toLowerCase())
    throw new OrderRejectedError('the order request is addressed to another enclave')
  if (request.enclaveHpkePublicKey !== state.hpkePublicKey)
    throw new OrderRejectedError('the order request seals its secrets to another enclave key')
  if (request.solutionHash !== terms.solutionHash)
    throw new OrderRejectedError('the order request names another solution than the order')
  if (request.inputs[0]?.inputHash !== terms.inputHash)
    throw new OrderRejectedError('the order request’s first input is not the order’s inputHash')
  if (parameters.inputCiphertexts.length !== request.inputs.length)
    throw new OrderRejectedError(
      `the order request has ${request.inputs.length} inputs, ${parameters.inputCiphertexts.length} were given`,
    )
  parameters.inputCiphertexts.forEach((ciphertext, i) => {
    if (sha256Of(ciphertext) !== request.inputs[i]?.inputHash)
      throw new OrderRejectedError(
        i === 0
          ? 'the input ciphertext does not match the order’s inputHash'
          : `input ${request.inputs[i]?.name} does not match its hash in the order request`,
      )
  })

  const domain = marketDomain(order.chainId, order.market)
  const fail = async (failure: FailureReason, message: string) => ({
    failure,
    message,
    signature: await state.signer.signTypedData({
      domain,
      types: failureTypes,
      primaryType: 'Failure',
      message: { orderId, reason: failure },
    }),
  })

  const solution = await state.solutions.ready({
    solutionHash: terms.solutionHash,
    orderId,
    ...(parameters.solutionKeyRelease ? { keyRelease: parameters.solutionKeyRelease } : {}),
    enclavePrivateKey: state.hpkePrivateKey,
  })
  if ('failure' in solution) return fail(solution.failure, solution.message)
  const { manifest } = solution
  const declared = new Set(manifest.inputs.map((input) => input.name))
  const given = request.inputs.map((input) => input.name)
  if (given.some((name) => !declared.has(name)) || given.length !== declared.size)
    return fail(
      failureReasons.inputRejected,
      `the solution takes the inputs ${[...declared].join(', ')}, the order gives ${given.join(', ')}`,
    )

  let secrets: OrderSecrets
  try {
    secrets = await openOrderSecrets(request, state.hpkePrivateKey)
  } catch {
    return fail(failureReasons.inputUndecryptable, 'the order’s secrets do not open')
  }
  const inputs: NamedBlob[] = []
  try {
    try {
      for (const [i, ciphertext] of parameters.inputCiphertexts.entries())
        inputs.push({
          name: given[i] as string,
          bytes: await decryptObject(secrets.dataKeys[i] as Uint8Array, ciphertext),
        })
    } catch {
      return fail(failureReasons.inputUndecryptable, 'an input does not decrypt')
    }
    for (const input of inputs) {
      const declaration = manifest.inputs.find((item) => item.name === input.name)
      const violation =
        declaration &&
        checkInput(
          declaration,
          { size: input.bytes.length, head: input.bytes.subarray(0, inputHeadBytes) },
          manifest.runner,
        )
      if (violation) return fail(violation.reason, violation.limit)
    }
    const argumentViolation = checkArguments(manifest, secrets.arguments)
    if (argumentViolation) return fail(argumentViolation.reason, argumentViolation.limit)

    const outcome = await solution.runner.run({
      inputs,
      arguments: secrets.arguments,
      seed: jobSeedOf(orderId),
    })
    if ('failure' in outcome) return fail(outcome.failure, outcome.message)
    const result = encodeResultOutputs(outcome.outputs)
    for (const output of outcome.outputs) output.bytes.fill(0)
    const { key: resultKey, ciphertext: output } = await encryptObject(result)
    result.fill(0)
    const outputHash = sha256Of(output)
    // Sealed to the customer, revealed on-chain by the receipt: readable exactly when paid for.
    const wrappedResultKey = encodeWrappedResultKey(
      await wrapKey({
        recipientPublicKey: request.resultPublicKey,
        key: resultKey,
        info: resultKeyInfo,
        aad: resultKeyAad(orderId, outputHash),
      }),
    )
    resultKey.fill(0)
    const signature = await state.signer.signTypedData({
      domain,
      types: receiptTypes,
      primaryType: 'Receipt',
      message: { orderId, outputHash, wrappedResultKey },
    })
    return { output, outputHash, wrappedResultKey, signature }
  } finally {
    for (const input of inputs) input.bytes.fill(0)
    for (const key of secrets.dataKeys) key.fill(0)
  }
}
