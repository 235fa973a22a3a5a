import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type RequestUnstakeParameters = {
  /** Amount in the payment token's smallest unit. */
  amount: bigint
}

export type RequestUnstakeReturnType = WriteContractAndWaitReturnType

/** Starts unstaking unlocked stake; it can be withdrawn after the unstake delay. */
export function requestUnstake(
  chain: BoccSigner,
  parameters: RequestUnstakeParameters,
): Promise<RequestUnstakeReturnType> {
  return writeMarket(chain, 'requestUnstake', [parameters.amount])
}
