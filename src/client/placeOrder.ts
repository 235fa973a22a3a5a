import type { Hex } from 'viem'
import { getDataOffer } from '../chain/actions/catalog/getDataOffer.ts'
import { getSolutionOffer } from '../chain/actions/catalog/getSolutionOffer.ts'
import { createOrder } from '../chain/actions/market/createOrder.ts'
import { getMarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import { getTeeOffer } from '../chain/actions/market/getTeeOffer.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
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
import { encryptInput, type InputSource } from './encryptInput.ts'
import type { ProgressListener } from './progress.ts'
import { reserveFunds } from './reserveFunds.ts'
import type { VerifiedEnclave } from './verifyEnclave.ts'

export type PlacedOrder = {
  orderId: bigint
  terms: OrderTerms
  /** The key the result is sealed to; its private half never leaves this process. */
  resultKey: HpkeKeyPair
  transaction: Hex
  blockNumber: bigint
}

export class OfferNotFoundError extends BoccError {
  override name = 'OfferNotFoundError'
}

export type PlaceOrderParameters = {
  blobs: BlobStore
  teeOfferId: number
  /** Zero: no solution offer. */
  solutionOfferId: number
  /** Zero: no data offer. */
  dataOfferId?: number
  enclave: VerifiedEnclave
  solutionHash: Hex
  /**
   * The inputs, the solution's first declared input first. Order requests v1 carry exactly one
   * input and no arguments; a request format with several named inputs and arguments replaces it
   * (docs/protocol.md), and callers already pass them in this shape.
   */
  inputs: InputSource[]
  arguments?: string[]
  /** The most the customer agrees to pay; the market refuses more. Default: today's prices. */
  maxPayment?: bigint
  /** Seconds the provider has to accept, and to deliver. */
  acceptWithinSeconds?: number
  deliverWithinSeconds?: number
  /** Keeps the result key before anything is escrowed (see `resultKeyStore.ts`). */
  saveResultKey?: (parameters: { requestHash: Hex; resultKey: HpkeKeyPair }) => Promise<unknown>
  onProgress?: ProgressListener
}

export class UnsupportedOrderError extends BoccError {
  override name = 'UnsupportedOrderError'
}

/**
 * Encrypts the input on this machine under a fresh key, seals that key to the verified enclave,
 * stores both blobs, and orders with escrow. Only ciphertext and hashes leave the process.
 */
export async function placeOrder(
  chain: BoccSigner,
  parameters: PlaceOrderParameters,
): Promise<PlacedOrder> {
  const { blobs, enclave } = parameters
  if (!enclave.ok) throw new BoccError('refusing to order from an enclave that failed verification')

  const [input, ...others] = parameters.inputs
  if (!input || others.length > 0)
    throw new UnsupportedOrderError(
      `this market's order requests (v1) carry exactly one input; ${parameters.inputs.length} were given`,
    )
  if ((parameters.arguments ?? []).length > 0)
    throw new UnsupportedOrderError("this market's order requests (v1) carry no arguments")
  const { inputHash, dataKey } = await encryptInput(blobs, input, {
    ...(parameters.onProgress ? { onProgress: parameters.onProgress } : {}),
  })
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
  await parameters.saveResultKey?.({ requestHash, resultKey })

  // The most this order may cost: today's prices plus the fee; the market refuses more.
  const dataOfferId = parameters.dataOfferId ?? 0
  const [teeOffer, solutionOffer, dataOffer, settings, block] = await Promise.all([
    getTeeOffer(chain, { offerId: parameters.teeOfferId }),
    parameters.solutionOfferId === 0
      ? undefined
      : getSolutionOffer(chain, { offerId: parameters.solutionOfferId }),
    dataOfferId === 0 ? undefined : getDataOffer(chain, { offerId: dataOfferId }),
    getMarketSettings(chain),
    chain.publicClient.getBlock(),
  ])
  if (!teeOffer) throw new OfferNotFoundError(`there is no TEE offer ${parameters.teeOfferId}`)
  if (parameters.solutionOfferId !== 0 && !solutionOffer)
    throw new OfferNotFoundError(`there is no solution offer ${parameters.solutionOfferId}`)
  if (dataOfferId !== 0 && !dataOffer)
    throw new OfferNotFoundError(`there is no data offer ${dataOfferId}`)
  const prices = teeOffer.price + (solutionOffer?.price ?? 0n) + (dataOffer?.price ?? 0n)
  const maxPayment = parameters.maxPayment ?? prices + (prices * BigInt(settings.feeBps)) / 10_000n
  const now = Number(block.timestamp)
  const acceptBy = now + (parameters.acceptWithinSeconds ?? 120)
  parameters.onProgress?.({ stage: 'escrowing' })
  const release = await reserveFunds(chain, maxPayment)
  try {
    const created = await createOrder(chain, {
      params: {
        enclave: enclave.enclave,
        teeOfferId: parameters.teeOfferId,
        solutionOfferId: parameters.solutionOfferId,
        dataOfferId,
        acceptBy,
        deadline: acceptBy + (parameters.deliverWithinSeconds ?? 600),
        requestHash,
        inputHash,
        solutionHash: parameters.solutionHash,
        maxPayment,
      },
    })
    return {
      orderId: created.orderId,
      terms: created.terms,
      resultKey,
      transaction: created.transactionHash,
      blockNumber: created.blockNumber,
    }
  } finally {
    release()
  }
}
