import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type DepositParameters = {
  /** Amount in the payment token's smallest unit. */
  amount: bigint
}

export type DepositReturnType = WriteContractAndWaitReturnType

/** Moves tokens the caller approved into its market balance. */
export function deposit(
  chain: BoccSigner,
  parameters: DepositParameters,
): Promise<DepositReturnType> {
  return writeMarket(chain, 'deposit', [parameters.amount])
}
