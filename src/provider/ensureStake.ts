import { getMarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import { getStake } from '../chain/actions/market/getStake.ts'
import { stake } from '../chain/actions/market/stake.ts'
import { approveToken } from '../chain/actions/token/approveToken.ts'
import { getTokenBalance } from '../chain/actions/token/getTokenBalance.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { BoccError } from '../errors.ts'

export class StakeUnaffordableError extends BoccError {
  override name = 'StakeUnaffordableError'
}

/**
 * Tops the provider's active stake up to `target` (at least the market's minimum) from its
 * wallet; returns what it added.
 */
export async function ensureStake(chain: BoccSigner, target?: bigint): Promise<bigint> {
  const provider = chain.account.address
  const [{ minStake }, { active }] = await Promise.all([
    getMarketSettings(chain),
    getStake(chain, { provider }),
  ])
  const wanted = target !== undefined && target > minStake ? target : minStake
  if (active >= wanted) return 0n
  const missing = wanted - active
  const { wallet } = await getTokenBalance(chain, { account: provider })
  if (wallet < missing)
    throw new StakeUnaffordableError(
      `the provider needs ${missing} more of the payment token to stake (its wallet holds ${wallet})`,
    )
  await approveToken(chain, { amount: missing })
  await stake(chain, { amount: missing })
  return missing
}
