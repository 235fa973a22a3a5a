import type { ContractFunctionReturnType } from 'viem'
import type { catalogAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'
import { readCatalog } from './readCatalog.ts'

export type DataOffer = ContractFunctionReturnType<typeof catalogAbi, 'view', 'getDataOffer'>

/** A data offer, or undefined if there is none with this id. */
export async function getDataOffer(
  chain: BoccChain,
  parameters: { offerId: number },
): Promise<DataOffer | undefined> {
  const offer = await readCatalog(chain, 'getDataOffer', [parameters.offerId])
  return offer.owner === '0x0000000000000000000000000000000000000000' ? undefined : offer
}
