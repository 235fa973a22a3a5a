import { type Hex, parseEventLogs } from 'viem'
import { catalogAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { writeCatalog } from './writeCatalog.ts'

const noMeasurement = `0x${'00'.repeat(32)}` as const

export type CreateSolutionOfferParameters = {
  solutionHash: Hex
  /** Price per order in the payment token's smallest unit. */
  price: bigint
  /** Where providers fetch the bundle in the blob store. */
  bundleHash: Hex
  /** Hardware kinds that may run it, bit k for kind k; all by default. */
  hardwareMask?: number
  /** The runtime measurement it needs; any allowed one by default. */
  requiredMeasurement?: Hex
  /** Only these TEE offers may run it; any by default. */
  allowedTeeOffers?: readonly number[]
}

export type CreateSolutionOfferReturnType = { offerId: number }

/** Offers a solution (model or program) by its hash. */
export async function createSolutionOffer(
  chain: BoccSigner,
  parameters: CreateSolutionOfferParameters,
): Promise<CreateSolutionOfferReturnType> {
  const { receipt } = await writeCatalog(chain, 'createSolutionOffer', [
    parameters.solutionHash,
    parameters.price,
    parameters.hardwareMask ?? 0xff,
    parameters.requiredMeasurement ?? noMeasurement,
    parameters.bundleHash,
    parameters.allowedTeeOffers ?? [],
  ])
  const [created] = parseEventLogs({
    abi: catalogAbi,
    eventName: 'SolutionOfferCreated',
    logs: receipt.logs,
  })
  if (!created) throw new Error('unreachable: createSolutionOffer emits SolutionOfferCreated')
  return { offerId: created.args.offerId }
}
