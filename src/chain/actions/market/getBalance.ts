import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readMarket } from './readMarket.ts'

export type GetBalanceParameters = { account: Address }

export type GetBalanceReturnType = {
  /** What the account can withdraw or spend now (matured payouts included). */
  available: bigint
  /** Payouts not matured yet. */
  pending: bigint
  /** When the last pending payout matures (Unix seconds; zero if none). */
  pendingMaturesAt: number
}

/** An account's balance in the market. */
export async function getBalance(
  chain: BoccChain,
  parameters: GetBalanceParameters,
): Promise<GetBalanceReturnType> {
  const [available, [pending, pendingMaturesAt]] = await Promise.all([
    readMarket(chain, 'balanceOf', [parameters.account]),
    readMarket(chain, 'pendingOf', [parameters.account]),
  ])
  return { available, pending, pendingMaturesAt }
}
