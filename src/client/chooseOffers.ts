import type { Hex } from 'viem'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { TeeKind } from '../attestation/types.ts'
import { quoteOffers } from '../chain/actions/catalog/quoteOffers.ts'
import { getMarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import { getEnclave } from '../chain/actions/registry/getEnclave.ts'
import { getProviderEnclaves } from '../chain/actions/registry/getProviderEnclaves.ts'
import { isEnclaveUsable } from '../chain/actions/registry/isEnclaveUsable.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { BoccError } from '../errors.ts'
import { hardwareKinds, hardwareOf } from '../protocol/enclaveApproval.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { listOffers, type SolutionOfferListing, type TeeOfferListing } from './listOffers.ts'
import type { ProgressListener } from './progress.ts'
import { type VerifiedEnclave, verifyEnclave } from './verifyEnclave.ts'

export type ChosenOffers = {
  teeOffer: TeeOfferListing
  solutionOffer: SolutionOfferListing
  /** Zero: no data offer. */
  dataOfferId: number
  enclave: VerifiedEnclave
  /** What the order escrows: the three prices and the market's fee. */
  price: bigint
}

/** No offer (or no enclave behind one) satisfies the customer's policy, budget and solution. */
export class NoSuitableOfferError extends BoccError {
  override name = 'NoSuitableOfferError'
}

export type ChooseOffersParameters = {
  blobs: BlobStore
  policy: AttestationPolicy
  solutionHash: Hex
  /** Zero or absent: no data offer. */
  dataOfferId?: number
  /** Only this TEE offer. */
  teeOfferId?: number
  /** The most the order may cost, fee included (token's smallest unit). */
  maxPrice?: bigint
  onProgress?: ProgressListener
  /** Formats an amount for messages (the token's decimals and symbol). */
  formatAmount?: (amount: bigint) => string
}

/**
 * Chooses the cheapest TEE offer, solution offer and enclave that together serve this solution
 * within the budget, with an enclave that is usable on-chain, that the catalog allows, and whose
 * evidence the customer's own policy accepts (checked here, whatever the committee said). When
 * none does, the error names why the best candidates were refused.
 */
export async function chooseOffers(
  chain: BoccChain,
  parameters: ChooseOffersParameters,
): Promise<ChosenOffers> {
  const { blobs, solutionHash } = parameters
  const dataOfferId = parameters.dataOfferId ?? 0
  const format = parameters.formatAmount ?? ((amount: bigint) => amount.toString())
  parameters.onProgress?.({ stage: 'choosing-offer' })
  const [offers, settings] = await Promise.all([
    listOffers(chain, { blobs }),
    getMarketSettings(chain),
  ])
  const solutions = offers
    .filter(
      (offer): offer is SolutionOfferListing =>
        offer.kind === 'solution' &&
        offer.active &&
        offer.solutionHash.toLowerCase() === solutionHash.toLowerCase(),
    )
    .sort((a, b) => Number(a.price - b.price))
  if (solutions.length === 0)
    throw new NoSuitableOfferError(
      `no active solution offer sells the solution ${solutionHash}; see \`bocc offers list --kind solution\``,
    )
  const data =
    dataOfferId === 0
      ? undefined
      : offers.find((offer) => offer.kind === 'data' && offer.id === dataOfferId)
  if (dataOfferId !== 0 && !data)
    throw new NoSuitableOfferError(`there is no data offer ${dataOfferId}`)
  if (data && !data.active)
    throw new NoSuitableOfferError(`data offer ${dataOfferId} is not active`)
  const tees = offers
    .filter(
      (offer): offer is TeeOfferListing =>
        offer.kind === 'tee' &&
        (parameters.teeOfferId === undefined || offer.id === parameters.teeOfferId),
    )
    .sort((a, b) => Number(a.price - b.price))
  if (parameters.teeOfferId !== undefined && tees.length === 0)
    throw new NoSuitableOfferError(`there is no TEE offer ${parameters.teeOfferId}`)

  const refusals: string[] = []
  const candidates = tees.flatMap((tee) => solutions.map((solution) => ({ tee, solution })))
  const priceOf = ({ tee, solution }: (typeof candidates)[number]) => {
    const prices = tee.price + solution.price + (data?.price ?? 0n)
    return prices + (prices * BigInt(settings.feeBps)) / 10_000n
  }
  // Cheapest first; a busy offer (all its capacity running) after a free one of the same price,
  // though an order may wait for it: the provider accepts queued orders as capacity frees.
  const busy = (tee: TeeOfferListing) => (tee.activeOrders >= tee.capacity ? 1 : 0)
  candidates.sort((a, b) => Number(priceOf(a) - priceOf(b)) || busy(a.tee) - busy(b.tee))
  for (const candidate of candidates) {
    const { tee, solution } = candidate
    const price = priceOf(candidate)
    const label = `TEE offer ${tee.id}`
    if (!tee.active) {
      refusals.push(`${label} is not active`)
      continue
    }
    if (parameters.maxPrice !== undefined && price > parameters.maxPrice) {
      refusals.push(
        `${label} with solution offer ${solution.id} costs ${format(price)}, over your ${format(parameters.maxPrice)}`,
      )
      continue
    }
    for (const address of await getProviderEnclaves(chain, { provider: tee.owner })) {
      const record = await getEnclave(chain, { enclave: address })
      if (!record || record.hardware !== hardwareNumber(tee.hardware)) continue
      if (!(await isEnclaveUsable(chain, { enclave: address }))) continue
      const quote = await quoteOffers(chain, {
        solutionOfferId: solution.id,
        dataOfferId,
        teeOfferId: tee.id,
        hardware: record.hardware,
        measurement: record.measurement,
        solutionHash,
      })
      if (!quote.ok) {
        refusals.push(`${label}: the catalog refuses the offers together (${quote.errorName})`)
        continue
      }
      parameters.onProgress?.({ stage: 'verifying-enclave', enclave: address })
      const enclave = await verifyEnclave(chain, {
        enclave: address,
        blobs,
        policy: parameters.policy,
      })
      if (enclave.ok) return { teeOffer: tee, solutionOffer: solution, dataOfferId, enclave, price }
      const failed = enclave.checks.find((check) => check.status === 'failed')
      refusals.push(
        `${label}: your policy refuses enclave ${address.slice(0, 10)}… (${failed?.name}: ${failed?.explanation})`,
      )
    }
    if (!refusals.some((refusal) => refusal.startsWith(`${label}:`)))
      refusals.push(`${label} has no usable enclave`)
  }
  throw new NoSuitableOfferError(
    tees.length === 0
      ? 'no TEE offer is on sale on this market'
      : `no offer satisfies your policy and budget: ${[...new Set(refusals)].slice(0, 3).join('; ')}`,
  )
}

function hardwareNumber(name: string): number {
  return name in hardwareKinds ? hardwareOf(name as TeeKind) : -1
}
