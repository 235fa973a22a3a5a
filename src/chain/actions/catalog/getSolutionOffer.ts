import type { ContractFunctionReturnType } from 'viem'
import type { catalogAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'
import { readCatalog } from './readCatalog.ts'

export type SolutionOffer = ContractFunctionReturnType<
  typeof catalogAbi,
  'view',
  'getSolutionOffer'
>

/** A solution offer, or undefined if there is none with this id. */
export async function getSolutionOffer(
  chain: BoccChain,
  parameters: { offerId: number },
): Promise<SolutionOffer | undefined> {
  const offer = await readCatalog(chain, 'getSolutionOffer', [parameters.offerId])
  return offer.owner === '0x0000000000000000000000000000000000000000' ? undefined : offer
}
