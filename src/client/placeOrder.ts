import { type Address, type Hex, parseEventLogs } from 'viem'
import { boccProtocolAbi, boccTokenAbi } from '../chain/artifacts.ts'
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
import type { OrderTerms } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import type { VerifiedEnclave } from './verifyEnclave.ts'

export type PlacedOrder = {
  orderId: bigint
  terms: OrderTerms
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
  protocol: Address
  blobs: BlobStore
  teeOfferId: number
  /** Zero: no solution offer. */
  solutionOfferId: number
  enclave: VerifiedEnclave
  solutionHash: Hex
  input: Uint8Array
  /** Seconds the provider has to accept, and to deliver. */
  acceptWithinSeconds?: number
  deliverWithinSeconds?: number
}): Promise<PlacedOrder> {
  const { connection, protocol, blobs, enclave } = parameters
  if (!enclave.ok) throw new BoccError('refusing to order from an enclave that failed verification')
  const client = connection.publicClient
  const contract = { address: protocol, abi: boccProtocolAbi } as const

  const { key: dataKey, ciphertext } = await encryptObject(parameters.input)
  const inputHash = await blobs.put(ciphertext)
  const resultKey = await generateHpkeKeyPair()
  const bound = {
    inputHash,
    solutionHash: parameters.solutionHash,
    resultPublicKey: resultKey.publicKey,
  }
  const request: OrderRequest = {
    version: 1,
    enclaveSigner: enclave.enclave,
    enclaveHpkePublicKey: enclave.hpkePublicKey,
    ...bound,
    wrappedDataKey: await wrapKey({
      recipientPublicKey: enclave.hpkePublicKey,
      key: dataKey,
      info: dataKeyInfo,
      aad: dataKeyAad(bound),
    }),
  }
  dataKey.fill(0)
  const requestHash = await blobs.put(encodeOrderRequest(request))

  // The most this order may cost: today's prices plus the fee; the contract refuses more.
  const [teeOffer, solutionOffer, feeBps, token, block] = await Promise.all([
    client.readContract({
      ...contract,
      functionName: 'getTeeOffer',
      args: [parameters.teeOfferId],
    }),
    client.readContract({
      ...contract,
      functionName: 'getSolutionOffer',
      args: [parameters.solutionOfferId],
    }),
    client.readContract({ ...contract, functionName: 'feeBps' }),
    client.readContract({ ...contract, functionName: 'paymentToken' }),
    client.getBlock(),
  ])
  const prices = teeOffer.price + (parameters.solutionOfferId === 0 ? 0n : solutionOffer.price)
  const maxPayment = prices + (prices * BigInt(feeBps)) / 10_000n
  await sendTransaction(connection, {
    address: token,
    abi: boccTokenAbi,
    functionName: 'approve',
    args: [protocol, maxPayment],
  })
  const now = Number(block.timestamp)
  const created = await sendTransaction(connection, {
    ...contract,
    functionName: 'createOrder',
    args: [
      {
        enclave: enclave.enclave,
        teeOfferId: parameters.teeOfferId,
        solutionOfferId: parameters.solutionOfferId,
        dataOfferId: 0,
        acceptBy: now + (parameters.acceptWithinSeconds ?? 120),
        deadline:
          now + (parameters.acceptWithinSeconds ?? 120) + (parameters.deliverWithinSeconds ?? 600),
        requestHash,
        inputHash,
        solutionHash: parameters.solutionHash,
        maxPayment,
      },
    ],
  })
  const [event] = parseEventLogs({
    abi: boccProtocolAbi,
    eventName: 'OrderCreated',
    logs: created.receipt.logs,
  })
  if (!event) throw new Error('unreachable: createOrder emits OrderCreated')
  return {
    orderId: event.args.orderId,
    terms: event.args.terms as OrderTerms,
    resultKey,
    transaction: created.hash,
  }
}
