import { type Hex, parseEventLogs } from 'viem'
import { catalogAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { writeCatalog } from './writeCatalog.ts'

export type CreateDataOfferParameters = {
  /** SHA-256 of the encrypted dataset blob. */
  dataHash: Hex
  price: bigint
  /** Only these solution offers may use it; any by default. */
  allowedSolutionOffers?: readonly number[]
  /** Only these TEE offers may run it; any by default. */
  allowedTeeOffers?: readonly number[]
}

export type CreateDataOfferReturnType = { offerId: number }

/** Offers a dataset by the hash of its encrypted blob. */
export async function createDataOffer(
  chain: BoccSigner,
  parameters: CreateDataOfferParameters,
): Promise<CreateDataOfferReturnType> {
  const { receipt } = await writeCatalog(chain, 'createDataOffer', [
    parameters.dataHash,
    parameters.price,
    parameters.allowedSolutionOffers ?? [],
    parameters.allowedTeeOffers ?? [],
  ])
  const [created] = parseEventLogs({
    abi: catalogAbi,
    eventName: 'DataOfferCreated',
    logs: receipt.logs,
  })
  if (!created) throw new Error('unreachable: createDataOffer emits DataOfferCreated')
  return { offerId: created.args.offerId }
}
