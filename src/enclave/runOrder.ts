import { decodeAbiParameters, type Hex, keccak256, sha256 } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { decryptObject, encryptObject } from '../crypto/chunkedAead.ts'
import { unwrapKey, wrapKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'
import type { OrderToRun } from '../protocol/enclaveInterface.ts'
import { type FailureReasonName, failureCode } from '../protocol/failureReasons.ts'
import { dataKeyAad, dataKeyInfo, decodeOrderRequest } from '../protocol/orderRequest.ts'
import { type OrderTerms, orderTermsParameter } from '../protocol/orderTerms.ts'
import { failureTypes, marketDomain, receiptTypes } from '../protocol/receipt.ts'
import { encodeWrappedResultKey, resultKeyAad, resultKeyInfo } from '../protocol/resultKey.ts'
import type { OcrEngine } from './solutions/ocr/recogniseText.ts'

export class OrderRejectedError extends BoccError {
  override name = 'OrderRejectedError'
}

export type EnclaveState = {
  signer: LocalAccount
  hpkePublicKey: Hex
  hpkePrivateKey: CryptoKey
  solutionHash: Hex
  engine: OcrEngine
}

export type RunOrderParameters = {
  order: OrderToRun
  request: Uint8Array
  inputCiphertext: Uint8Array
}

export type RunOrderResult =
  | { output: Uint8Array; outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
  /** The order matched, but its input could not be used: a signed failure, reason code only. */
  | { failure: number; signature: Hex }

/**
 * Runs one order inside the enclave: decodes the terms and computes the order id from them, checks
 * every hash against the order, opens the data key, decrypts the input, runs the solution,
 * encrypts the result under a fresh key sealed to the customer and signs the receipt over the
 * order id, the output's hash and that sealed key. If the order matches but its input cannot be
 * decrypted or the solution rejects it, it signs a failure instead (a reason code, nothing of the
 * input). Plaintext exists only in this function's memory; errors carry no plaintext.
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
  if (sha256(parameters.request) !== terms.requestHash)
    throw new OrderRejectedError('the order request does not match the order’s requestHash')
  const request = decodeOrderRequest(parameters.request)
  if (request.enclaveSigner.toLowerCase() !== state.signer.address.toLowerCase())
    throw new OrderRejectedError('the order request is addressed to another enclave')
  if (request.enclaveHpkePublicKey !== state.hpkePublicKey)
    throw new OrderRejectedError('the order request wraps its key to another enclave key')
  if (request.solutionHash !== terms.solutionHash || terms.solutionHash !== state.solutionHash)
    throw new OrderRejectedError('the order is for another solution than the one this enclave runs')
  const inputHash = sha256(parameters.inputCiphertext)
  if (inputHash !== terms.inputHash || request.inputHash !== terms.inputHash)
    throw new OrderRejectedError('the input ciphertext does not match the order’s inputHash')

  const domain = marketDomain(order.chainId, order.market)
  const fail = async (reason: FailureReasonName) => ({
    failure: failureCode(reason),
    signature: await state.signer.signTypedData({
      domain,
      types: failureTypes,
      primaryType: 'Failure',
      message: { orderId, reason: failureCode(reason) },
    }),
  })

  let input: Uint8Array
  try {
    const dataKey = await unwrapKey({
      recipientPrivateKey: state.hpkePrivateKey,
      wrapped: request.wrappedDataKey,
      info: dataKeyInfo,
      aad: dataKeyAad(request),
    })
    input = await decryptObject(dataKey, parameters.inputCiphertext)
    dataKey.fill(0)
  } catch {
    return fail('InputUndecryptable')
  }
  let lines: Awaited<ReturnType<OcrEngine['recognise']>>
  try {
    lines = await state.engine.recognise(input)
  } catch {
    return fail('InputRejected')
  } finally {
    input.fill(0)
  }
  const result = new TextEncoder().encode(JSON.stringify({ kind: 'ocr', version: 1, lines }))

  const { key: resultKey, ciphertext: output } = await encryptObject(result)
  result.fill(0)
  const outputHash = sha256(output)
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
}
