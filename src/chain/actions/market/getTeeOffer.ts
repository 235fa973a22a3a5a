import type { ContractFunctionReturnType } from 'viem'
import type { marketAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'
import { readMarket } from './readMarket.ts'

export type TeeOffer = ContractFunctionReturnType<typeof marketAbi, 'view', 'getTeeOffer'>

export type GetTeeOfferParameters = { offerId: number }

export type GetTeeOfferReturnType = TeeOffer | undefined

/** A TEE offer, or undefined if there is none with this id. */
export async function getTeeOffer(
  chain: BoccChain,
  parameters: GetTeeOfferParameters,
): Promise<GetTeeOfferReturnType> {
  const offer = await readMarket(chain, 'getTeeOffer', [parameters.offerId])
  return offer.provider === '0x0000000000000000000000000000000000000000' ? undefined : offer
}
