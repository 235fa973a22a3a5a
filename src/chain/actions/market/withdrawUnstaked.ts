import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type WithdrawUnstakedReturnType = WriteContractAndWaitReturnType

/** Sends the caller's unstaked amount to its wallet once the unstake delay has passed. */
export function withdrawUnstaked(chain: BoccSigner): Promise<WithdrawUnstakedReturnType> {
  return writeMarket(chain, 'withdrawUnstaked', [])
}
