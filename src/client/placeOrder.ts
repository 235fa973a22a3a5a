import { type Address, type Hex, parseEventLogs } from 'viem'
import { boccMarketAbi, boccTokenAbi } from '../chain/artifacts.ts'
import type { SignerConnection } from '../chain/connectChain.ts'
import { sendTransaction } from '../chain/sendTransaction.ts'
import { encryptObject } from '../crypto/chunkedAead.ts'
import { generateHpkeKeyPair, type HpkeKeyPair, wrapKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'
import {
  dataKeyAad,
  dataKeyInfo,
  encodeOrderRequest,
  type OrderRequest,
} from '../protocol/orderRequest.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { VerifiedEnclave } from './verifyEnclave.ts'

export type PlacedOrder = {
  orderId: bigint
  inputHash: Hex
  requestHash: Hex
  solutionHash: Hex
  /** The key the result is sealed to; its private half never leaves this process. */
  resultKey: HpkeKeyPair
  transaction: Hex
}

/**
 * Encrypts the input on this machine under a fresh key, seals that key to the verified enclave,
 * stores both blobs, and orders with escrow. Only ciphertext and hashes leave the process.
 */
export async function placeOrder(parameters: {
  connection: SignerConnection
  market: Address
  token: Address
  blobs: BlobStore
  offerId: bigint
  enclave: VerifiedEnclave
  solutionHash: Hex
  input: Uint8Array
  deadlineSeconds?: number
}): Promise<PlacedOrder> {
  const { connection, market, blobs, enclave } = parameters
  if (!enclave.ok) throw new BoccError('refusing to order from an enclave that failed verification')
  const { key: dataKey, ciphertext } = await encryptObject(parameters.input)
  const inputHash = await blobs.put(ciphertext)
  const resultKey = await generateHpkeKeyPair()
  const requestFields = {
    inputHash,
    solutionHash: parameters.solutionHash,
    resultPublicKey: resultKey.publicKey,
  }
  const request: OrderRequest = {
    version: 1,
    enclaveSigner: enclave.enclave,
    enclaveHpkePublicKey: enclave.hpkePublicKey,
    ...requestFields,
    wrappedDataKey: await wrapKey({
      recipientPublicKey: enclave.hpkePublicKey,
      key: dataKey,
      info: dataKeyInfo,
      aad: dataKeyAad(requestFields),
    }),
  }
  dataKey.fill(0)
  const requestHash = await blobs.put(encodeOrderRequest(request))

  const offer = await connection.publicClient.readContract({
    address: market,
    abi: boccMarketAbi,
    functionName: 'getOffer',
    args: [parameters.offerId],
  })
  await sendTransaction(connection, {
    address: parameters.token,
    abi: boccTokenAbi,
    functionName: 'approve',
    args: [market, offer.price],
  })
  const block = await connection.publicClient.getBlock()
  const created = await sendTransaction(connection, {
    address: market,
    abi: boccMarketAbi,
    functionName: 'createOrder',
    args: [
      parameters.offerId,
      enclave.enclave,
      requestHash,
      inputHash,
      parameters.solutionHash,
      block.timestamp + BigInt(parameters.deadlineSeconds ?? 600),
    ],
  })
  const [event] = parseEventLogs({
    abi: boccMarketAbi,
    eventName: 'OrderCreated',
    logs: created.receipt.logs,
  })
  if (!event) throw new Error('unreachable: createOrder emits OrderCreated')
  return {
    orderId: event.args.orderId,
    inputHash,
    requestHash,
    solutionHash: parameters.solutionHash,
    resultKey,
    transaction: created.hash,
  }
}
