import { type Hex, sha256 } from 'viem'
import type { LocalAccount } from 'viem/accounts'
import { decryptObject, encryptObject } from '../crypto/chunkedAead.ts'
import { unwrapKey, wrapKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'
import type { OrderToRun } from '../protocol/enclaveInterface.ts'
import {
  dataKeyAad,
  dataKeyInfo,
  decodeOrderRequest,
  resultKeyAad,
  resultKeyInfo,
} from '../protocol/orderRequest.ts'
import {
  type FailureReason,
  failureReasons,
  failureTypes,
  protocolDomain,
  receiptTypes,
} from '../protocol/receipt.ts'
import { encodeResultEnvelope } from '../protocol/resultEnvelope.ts'
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
  | { output: Uint8Array; outputHash: Hex; signature: Hex }
  /** The order matched, but its input could not be used: a signed failure, reason code only. */
  | { failure: FailureReason; signature: Hex }

/**
 * Runs one order inside the enclave: checks every hash against the order, opens the data key,
 * decrypts the input, runs the solution, encrypts the result to the customer and signs the receipt.
 * If the order matches but its input cannot be decrypted or the solution rejects it, it signs a
 * failure instead (a reason code, nothing of the input). Plaintext exists only in this function's
 * memory; errors carry no plaintext.
 */
export async function runOrder(
  state: EnclaveState,
  parameters: RunOrderParameters,
): Promise<RunOrderResult> {
  const { order } = parameters
  if (sha256(parameters.request) !== order.requestHash)
    throw new OrderRejectedError('the order request does not match the order’s requestHash')
  const request = decodeOrderRequest(parameters.request)
  if (request.enclaveSigner.toLowerCase() !== state.signer.address.toLowerCase())
    throw new OrderRejectedError('the order request is addressed to another enclave')
  if (request.enclaveHpkePublicKey !== state.hpkePublicKey)
    throw new OrderRejectedError('the order request wraps its key to another enclave key')
  if (request.solutionHash !== order.solutionHash || order.solutionHash !== state.solutionHash)
    throw new OrderRejectedError('the order is for another solution than the one this enclave runs')
  const inputHash = sha256(parameters.inputCiphertext)
  if (inputHash !== order.inputHash || request.inputHash !== order.inputHash)
    throw new OrderRejectedError('the input ciphertext does not match the order’s inputHash')

  const orderId = BigInt(order.orderId)
  const fail = async (failure: FailureReason) => ({
    failure,
    signature: await state.signer.signTypedData({
      domain: protocolDomain(order.chainId, order.protocol),
      types: failureTypes,
      primaryType: 'Failure',
      message: {
        orderId,
        requestHash: order.requestHash,
        inputHash: order.inputHash,
        solutionHash: order.solutionHash,
        reason: failure,
      },
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
    return fail(failureReasons.inputUndecryptable)
  }
  let lines: Awaited<ReturnType<OcrEngine['recognise']>>
  try {
    lines = await state.engine.recognise(input)
  } catch {
    return fail(failureReasons.inputRejected)
  } finally {
    input.fill(0)
  }
  const result = new TextEncoder().encode(JSON.stringify({ kind: 'ocr', version: 1, lines }))

  const { key: resultKey, ciphertext } = await encryptObject(result)
  result.fill(0)
  const wrappedResultKey = await wrapKey({
    recipientPublicKey: request.resultPublicKey,
    key: resultKey,
    info: resultKeyInfo,
    aad: resultKeyAad(orderId, order.inputHash),
  })
  resultKey.fill(0)
  const output = encodeResultEnvelope({ wrappedResultKey, ciphertext })
  const outputHash = sha256(output)
  const signature = await state.signer.signTypedData({
    domain: protocolDomain(order.chainId, order.protocol),
    types: receiptTypes,
    primaryType: 'Receipt',
    message: {
      orderId,
      requestHash: order.requestHash,
      inputHash: order.inputHash,
      solutionHash: order.solutionHash,
      outputHash,
    },
  })
  return { output, outputHash, signature }
}
