import type { Address } from 'viem'
import { getBalance } from '../../src/chain/actions/market/getBalance.ts'
import { getMarketSettings } from '../../src/chain/actions/market/getMarketSettings.ts'
import { getOrderState } from '../../src/chain/actions/market/getOrderState.ts'
import { getStake } from '../../src/chain/actions/market/getStake.ts'
import { getTokenBalance } from '../../src/chain/actions/token/getTokenBalance.ts'
import type { BoccChain } from '../../src/chain/boccChain.ts'
import { type OrderTerms, orderTotal } from '../../src/protocol/orderTerms.ts'

/**
 * Every token the market holds, accounted for: the available balances and pending payouts of
 * `accounts` (everyone who can hold one: actors, vendors, the fee receiver), their stakes (active
 * and unstaking), the escrow of the open orders among `orders`, and the bond of each challenged
 * one. `held` is the market's token balance; the two are equal when no token was created or lost.
 */
export async function marketLedger(
  chain: BoccChain,
  parameters: { accounts: Address[]; orders: { orderId: bigint; terms: OrderTerms }[] },
): Promise<{ held: bigint; accounted: bigint }> {
  const { challengeBond } = await getMarketSettings(chain)
  let accounted = 0n
  for (const account of new Set(parameters.accounts)) {
    const [balance, stake] = await Promise.all([
      getBalance(chain, { account }),
      getStake(chain, { provider: account }),
    ])
    accounted += balance.available + balance.pending + stake.active + stake.unstaking
  }
  for (const order of parameters.orders) {
    const { status } = await getOrderState(chain, { orderId: order.orderId })
    if (status === 'created' || status === 'accepted' || status === 'challenged')
      accounted += orderTotal(order.terms)
    if (status === 'challenged') accounted += challengeBond
  }
  const { wallet: held } = await getTokenBalance(chain, {
    account: chain.deployment.contracts.market,
  })
  return { held, accounted }
}
