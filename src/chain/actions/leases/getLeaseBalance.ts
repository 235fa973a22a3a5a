import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readLeases } from './readLeases.ts'

export type GetLeaseBalanceParameters = { account: Address }

/** What an account can withdraw from the lease market. */
export function getLeaseBalance(
  chain: BoccChain,
  parameters: GetLeaseBalanceParameters,
): Promise<bigint> {
  return readLeases(chain, 'balanceOf', [parameters.account])
}
