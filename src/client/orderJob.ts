import type { Hex } from 'viem'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { BoccError } from '../errors.ts'
import { orderTotal } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { chooseOffers } from './chooseOffers.ts'
import type { InputSource } from './encryptInput.ts'
import { type PlacedOrder, placeOrder } from './placeOrder.ts'
import type { ProgressListener } from './progress.ts'
import type { ResultKeyStore } from './resultKeyStore.ts'

export type OrderJobParameters = {
  /** The solution to run, by its hash (`bocc offers list --kind solution`). */
  solutionHash: Hex
  /** The inputs: the solution's first declared input first (or each with its declared name). */
  inputs: InputSource[]
  /** The job's arguments, sealed to the enclave with the data keys. */
  arguments?: string[]
  /** A vendor's data set to run on, by data offer id (one per order on this market). */
  dataOfferIds?: number[]
  /** Only this TEE offer; the cheapest that satisfies the policy otherwise. */
  teeOfferId?: number
  /** The most the order may cost, fee included (the token's smallest unit). */
  maxPrice?: bigint
  /** Seconds the provider has to accept, and to deliver. */
  acceptWithinSeconds?: number
  deliverWithinSeconds?: number
  onProgress?: ProgressListener
}

export type PlacedJob = PlacedOrder & {
  /** What was escrowed: the three prices and the fee. */
  escrow: bigint
  /** The sealed file that keeps the order's result key. */
  resultKeyFile: string
}

export class TooManyDataOffersError extends BoccError {
  override name = 'TooManyDataOffersError'
}

/**
 * Orders a job as a customer: chooses the cheapest offers whose enclave the customer's policy
 * accepts within the budget, checks the inputs against the solution's limits, encrypts and
 * uploads them, keeps the result key in the key store, and escrows (`placeOrder`). Nothing is
 * escrowed if any step before fails.
 */
export async function orderJob(
  signer: BoccSigner,
  parameters: OrderJobParameters & {
    blobs: BlobStore
    policy: AttestationPolicy
    resultKeys: ResultKeyStore
    formatAmount?: (amount: bigint) => string
  },
): Promise<PlacedJob> {
  const { blobs, resultKeys } = parameters
  const dataOfferIds = parameters.dataOfferIds ?? []
  if (dataOfferIds.length > 1)
    throw new TooManyDataOffersError(
      `an order on this market uses at most one data offer; ${dataOfferIds.length} were given`,
    )
  const chosen = await chooseOffers(signer, {
    blobs,
    policy: parameters.policy,
    solutionHash: parameters.solutionHash,
    ...(dataOfferIds[0] === undefined ? {} : { dataOfferId: dataOfferIds[0] }),
    ...(parameters.teeOfferId === undefined ? {} : { teeOfferId: parameters.teeOfferId }),
    ...(parameters.maxPrice === undefined ? {} : { maxPrice: parameters.maxPrice }),
    ...(parameters.onProgress ? { onProgress: parameters.onProgress } : {}),
    ...(parameters.formatAmount ? { formatAmount: parameters.formatAmount } : {}),
  })
  let keptAt: Hex | undefined
  const placed = await placeOrder(signer, {
    blobs,
    teeOfferId: chosen.teeOffer.id,
    solutionOfferId: chosen.solutionOffer.id,
    dataOfferId: chosen.dataOfferId,
    enclave: chosen.enclave,
    solutionHash: parameters.solutionHash,
    solutionBundleHash: chosen.solutionOffer.bundleHash,
    inputs: parameters.inputs,
    ...(parameters.arguments ? { arguments: parameters.arguments } : {}),
    maxPayment: chosen.price,
    ...(parameters.acceptWithinSeconds === undefined
      ? {}
      : { acceptWithinSeconds: parameters.acceptWithinSeconds }),
    ...(parameters.deliverWithinSeconds === undefined
      ? {}
      : { deliverWithinSeconds: parameters.deliverWithinSeconds }),
    saveResultKey: async ({ requestHash, resultKey }) => {
      await resultKeys.saveBeforeOrder({ requestHash, resultKey })
      keptAt = requestHash
    },
    ...(parameters.onProgress ? { onProgress: parameters.onProgress } : {}),
  })
  const resultKeyFile = await resultKeys.bindToOrder({
    requestHash: keptAt ?? placed.terms.requestHash,
    orderId: placed.orderId,
  })
  return { ...placed, escrow: orderTotal(placed.terms), resultKeyFile }
}
