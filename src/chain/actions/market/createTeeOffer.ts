import { parseEventLogs } from 'viem'
import { marketAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { writeMarket } from './writeMarket.ts'

export type CreateTeeOfferParameters = {
  /** Hardware kind (src/protocol/enclaveApproval.ts `hardwareKinds`). */
  hardware: number
  /** Price per order in the payment token's smallest unit. */
  price: bigint
  /** Orders at once. */
  capacity: number
}

export type CreateTeeOfferReturnType = { offerId: number; blockNumber: bigint }

/** Offers the caller's machines of one hardware kind. */
export async function createTeeOffer(
  chain: BoccSigner,
  parameters: CreateTeeOfferParameters,
): Promise<CreateTeeOfferReturnType> {
  const { receipt } = await writeMarket(chain, 'createTeeOffer', [
    parameters.hardware,
    parameters.price,
    parameters.capacity,
  ])
  const [created] = parseEventLogs({
    abi: marketAbi,
    eventName: 'TeeOfferCreated',
    logs: receipt.logs,
  })
  if (!created) throw new Error('unreachable: createTeeOffer emits TeeOfferCreated')
  return { offerId: created.args.offerId, blockNumber: receipt.blockNumber }
}
