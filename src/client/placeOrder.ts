import type { Hex } from 'viem'
import { getDataOffer } from '../chain/actions/catalog/getDataOffer.ts'
import { getSolutionOffer } from '../chain/actions/catalog/getSolutionOffer.ts'
import { createOrder } from '../chain/actions/market/createOrder.ts'
import { getMarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import { getTeeOffer } from '../chain/actions/market/getTeeOffer.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { encryptObject } from '../crypto/chunkedAead.ts'
import { generateHpkeKeyPair, type HpkeKeyPair } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'
import { checkArguments, checkInput, inputHeadBytes } from '../protocol/inputLimits.ts'
import { encodeOrderRequest, sealOrderRequest } from '../protocol/orderRequest.ts'
import type { OrderTerms } from '../protocol/orderTerms.ts'
import { decodeSolutionDescriptor } from '../protocol/solutionBundle.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { reserveFunds } from './reserveFunds.ts'
import type { VerifiedEnclave } from './verifyEnclave.ts'

/** An input or argument the solution does not accept, refused before anything is escrowed. */
export class InputRefusedError extends BoccError {
  override name = 'InputRefusedError'
}

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
  /** The inputs; one without a name is the solution's first declared input. */
  inputs: { name?: string; bytes: Uint8Array }[]
  /** The job's arguments (WASM argv), sealed to the enclave with the data keys. */
  arguments?: string[]
  /** Seconds the provider has to accept, and to deliver. */
  acceptWithinSeconds?: number
  deliverWithinSeconds?: number
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

  // The solution's declared limits, checked before anything is encrypted or escrowed.
  const { manifest } = decodeSolutionDescriptor(await blobs.get(parameters.solutionHash))
  const named = parameters.inputs.map((input, i) => {
    const name = input.name ?? (i === 0 ? manifest.inputs[0]?.name : undefined)
    const declaration = manifest.inputs.find((item) => item.name === name)
    if (!declaration)
      throw new InputRefusedError(
        `the solution ${manifest.name} has no input ${name ?? `number ${i + 1}`} (it takes ${manifest.inputs.map((item) => item.name).join(', ')})`,
      )
    const violation = checkInput(
      declaration,
      { size: input.bytes.length, head: input.bytes.subarray(0, inputHeadBytes) },
      manifest.runner,
    )
    if (violation) throw new InputRefusedError(violation.message)
    return { name: declaration.name, bytes: input.bytes }
  })
  const missing = manifest.inputs.filter((item) => !named.some((input) => input.name === item.name))
  if (missing.length > 0)
    throw new InputRefusedError(
      `the order lacks the input ${missing.map((item) => item.name).join(', ')}`,
    )
  const argumentViolation = checkArguments(manifest, parameters.arguments ?? [])
  if (argumentViolation) throw new InputRefusedError(argumentViolation.message)
  // The first declared input comes first: its ciphertext hash is the order's inputHash.
  named.sort(
    (a, b) =>
      manifest.inputs.findIndex((item) => item.name === a.name) -
      manifest.inputs.findIndex((item) => item.name === b.name),
  )

  const sealed = await Promise.all(named.map((input) => encryptObject(input.bytes)))
  const inputHashes = await Promise.all(sealed.map((item) => blobs.put(item.ciphertext)))
  const inputHash = inputHashes[0] as Hex
  const resultKey = await generateHpkeKeyPair()
  const request = await sealOrderRequest({
    enclaveSigner: enclave.enclave,
    enclaveHpkePublicKey: enclave.hpkePublicKey,
    solutionHash: parameters.solutionHash,
    solutionBundleHash: parameters.solutionBundleHash,
    inputs: named.map((input, i) => ({
      name: input.name,
      inputHash: inputHashes[i] as Hex,
      dataKey: (sealed[i] as { key: Uint8Array }).key,
    })),
    ...(parameters.arguments ? { arguments: parameters.arguments } : {}),
    resultPublicKey: resultKey.publicKey,
  })
  for (const item of sealed) item.key.fill(0)
  const requestHash = await blobs.put(encodeOrderRequest(request))

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
  const maxPayment = prices + (prices * BigInt(settings.feeBps)) / 10_000n
  const now = Number(block.timestamp)
  const acceptBy = now + (parameters.acceptWithinSeconds ?? 120)
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
