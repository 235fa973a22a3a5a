import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type WithdrawParameters = {
  /** Amount in the payment token's smallest unit. */
  amount: bigint
}

export type WithdrawReturnType = WriteContractAndWaitReturnType

/** Sends part of the caller's available market balance to its wallet. */
export function withdraw(
  chain: BoccSigner,
  parameters: WithdrawParameters,
): Promise<WithdrawReturnType> {
  return writeMarket(chain, 'withdraw', [parameters.amount])
}
