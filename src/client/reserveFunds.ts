import { deposit } from '../chain/actions/market/deposit.ts'
import { getBalance } from '../chain/actions/market/getBalance.ts'
import { approveToken } from '../chain/actions/token/approveToken.ts'
import { getTokenBalance } from '../chain/actions/token/getTokenBalance.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { BoccError } from '../errors.ts'

export class InsufficientFundsError extends BoccError {
  override name = 'InsufficientFundsError'
}

type AccountFunds = { reserved: bigint; queue: Promise<unknown> }
const accounts = new Map<string, AccountFunds>()

/**
 * Makes sure the account's market balance covers `amount` on top of what this process already
 * reserved for orders in flight, depositing the shortfall from the wallet, and reserves it.
 * Reservations of one account are made one at a time, so many orders placed at once neither
 * overwrite each other's token approvals nor spend the same balance twice. Call the returned
 * function once the order is created (or failed) to release the reservation.
 */
export async function reserveFunds(chain: BoccSigner, amount: bigint): Promise<() => void> {
  const key = `${chain.deployment.contracts.market}:${chain.account.address}`.toLowerCase()
  const funds = accounts.get(key) ?? { reserved: 0n, queue: Promise.resolve() }
  accounts.set(key, funds)
  const reserving = funds.queue.then(async () => {
    const { available } = await getBalance(chain, { account: chain.account.address })
    const shortfall = funds.reserved + amount - available
    if (shortfall > 0n) {
      const { wallet } = await getTokenBalance(chain, { account: chain.account.address })
      if (wallet < shortfall)
        throw new InsufficientFundsError(
          `the order needs ${shortfall} more of the payment token than the account holds (market balance ${available}, wallet ${wallet})`,
        )
      await approveToken(chain, { amount: shortfall })
      await deposit(chain, { amount: shortfall })
    }
    funds.reserved += amount
  })
  funds.queue = reserving.catch(() => undefined)
  await reserving
  let released = false
  return () => {
    if (released) return
    released = true
    funds.reserved -= amount
  }
}
