import type { Hex } from 'viem'
import { getDataOffer } from '../chain/actions/catalog/getDataOffer.ts'
import { getSolutionOffer } from '../chain/actions/catalog/getSolutionOffer.ts'
import { createOrder } from '../chain/actions/market/createOrder.ts'
import { getMarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import { getTeeOffer } from '../chain/actions/market/getTeeOffer.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { generateHpkeKeyPair, type HpkeKeyPair } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'
import { encodeOrderRequest, sealOrderRequest } from '../protocol/orderRequest.ts'
import type { OrderTerms } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { checkSolutionLimits, InputRefusedError } from './checkSolutionLimits.ts'
import { type EncryptedInput, encryptInput, type InputSource } from './encryptInput.ts'
import type { ProgressListener } from './progress.ts'
import { reserveFunds } from './reserveFunds.ts'
import type { VerifiedEnclave } from './verifyEnclave.ts'

export { InputRefusedError }

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
  /** Where the solution's bundle blob is (its pack or the pack's ciphertext). */
  solutionBundleHash: Hex
  /** The inputs (bytes, or files read as streams); one without a name is the solution's first declared input. */
  inputs: InputSource[]
  /** The job's arguments (WASM argv), sealed to the enclave with the data keys. */
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

/**
 * Checks the inputs against the solution's limits, encrypts each on this machine under a fresh
 * key (streaming), seals those keys and the arguments to the verified enclave, stores the blobs,
 * keeps the result key (`saveResultKey`), and orders with escrow. Only ciphertext and hashes leave
 * the process.
 */
export async function placeOrder(
  chain: BoccSigner,
  parameters: PlaceOrderParameters,
): Promise<PlacedOrder> {
  const { blobs, enclave } = parameters
  if (!enclave.ok) throw new BoccError('refusing to order from an enclave that failed verification')

  const { inputs } = await checkSolutionLimits({
    blobs,
    solutionHash: parameters.solutionHash,
    inputs: parameters.inputs,
    ...(parameters.arguments ? { arguments: parameters.arguments } : {}),
  })
  const sealed: EncryptedInput[] = []
  try {
    for (const input of inputs)
      sealed.push(
        await encryptInput(blobs, input, {
          ...(parameters.onProgress ? { onProgress: parameters.onProgress } : {}),
        }),
      )
  } catch (error) {
    for (const item of sealed) item.dataKey.fill(0)
    throw error
  }
  const inputHash = (sealed[0] as EncryptedInput).inputHash
  const resultKey = await generateHpkeKeyPair()
  const request = await sealOrderRequest({
    enclaveSigner: enclave.enclave,
    enclaveHpkePublicKey: enclave.hpkePublicKey,
    solutionHash: parameters.solutionHash,
    solutionBundleHash: parameters.solutionBundleHash,
    inputs: inputs.map((input, i) => ({
      name: input.name,
      inputHash: (sealed[i] as EncryptedInput).inputHash,
      dataKey: (sealed[i] as EncryptedInput).dataKey,
    })),
    ...(parameters.arguments ? { arguments: parameters.arguments } : {}),
    resultPublicKey: resultKey.publicKey,
  })
  for (const item of sealed) item.dataKey.fill(0)
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
