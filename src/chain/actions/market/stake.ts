import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type StakeParameters = {
  /** Amount in the payment token's smallest unit. */
  amount: bigint
}

export type StakeReturnType = WriteContractAndWaitReturnType

/** Moves tokens the caller approved into its provider stake. */
export function stake(chain: BoccSigner, parameters: StakeParameters): Promise<StakeReturnType> {
  return writeMarket(chain, 'stake', [parameters.amount])
}
