import type { Address, Hex } from 'viem'
import { listCatalogOffers } from '../chain/actions/catalog/listCatalogOffers.ts'
import { listTeeOffers } from '../chain/actions/market/listTeeOffers.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { teeOfHardware } from '../protocol/enclaveApproval.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { nameOfSolution, type SolutionName } from './solutionNames.ts'

export type OfferKind = 'tee' | 'solution' | 'data'

type OfferBase = {
  /** The offer's id; TEE, solution and data offers are numbered apart. */
  id: number
  owner: Address
  /** Price per order in the token's smallest unit. */
  price: bigint
  active: boolean
}

export type TeeOfferListing = OfferBase & {
  kind: 'tee'
  /** The hardware kind: `sim`, `tdx`, `sev-snp`, `sgx` or `nvidia-cc`. */
  hardware: string
  capacity: number
  activeOrders: number
}

export type SolutionOfferListing = OfferBase &
  SolutionName & {
    kind: 'solution'
    solutionHash: Hex
    /** Where providers fetch the bundle; zero for a solution the runtime ships. */
    bundleHash: Hex
    /** The runtime measurement it needs; zero for any allowed one. */
    requiredMeasurement: Hex
  }

export type DataOfferListing = OfferBase & {
  kind: 'data'
  /** SHA-256 of the encrypted dataset: its blob address. */
  dataHash: Hex
}

export type OfferListing = TeeOfferListing | SolutionOfferListing | DataOfferListing

/** Every offer of the deployment (or of one kind), TEE offers first, each kind by id. */
export async function listOffers(
  chain: BoccChain,
  parameters: { blobs: BlobStore; kind?: OfferKind },
): Promise<OfferListing[]> {
  const { kind } = parameters
  const [tee, catalog] = await Promise.all([
    kind === undefined || kind === 'tee' ? listTeeOffers(chain) : [],
    kind === undefined || kind !== 'tee' ? listCatalogOffers(chain) : { solutions: [], data: [] },
  ])
  const offers: OfferListing[] = tee.map((offer) => ({
    kind: 'tee',
    id: offer.offerId,
    owner: offer.provider,
    price: offer.price,
    active: offer.active,
    hardware: teeOfHardware(offer.hardware) ?? `hardware ${offer.hardware}`,
    capacity: offer.capacity,
    activeOrders: offer.activeOrders,
  }))
  if (kind === undefined || kind === 'solution')
    for (const offer of catalog.solutions)
      offers.push({
        kind: 'solution',
        id: offer.offerId,
        owner: offer.owner,
        price: offer.price,
        active: offer.active,
        solutionHash: offer.solutionHash,
        bundleHash: offer.bundleHash,
        requiredMeasurement: offer.requiredMeasurement,
        ...(await nameOfSolution(parameters.blobs, offer.solutionHash)),
      })
  if (kind === undefined || kind === 'data')
    for (const offer of catalog.data)
      offers.push({
        kind: 'data',
        id: offer.offerId,
        owner: offer.owner,
        price: offer.price,
        active: offer.active,
        dataHash: offer.dataHash,
      })
  return offers
}
