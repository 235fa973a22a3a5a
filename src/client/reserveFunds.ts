import { deposit } from '../chain/actions/market/deposit.ts'
import { getBalance } from '../chain/actions/market/getBalance.ts'
import { approveToken } from '../chain/actions/token/approveToken.ts'
import { getTokenBalance } from '../chain/actions/token/getTokenBalance.ts'
import { getTokenInfo } from '../chain/actions/token/getTokenInfo.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { BoccError } from '../errors.ts'
import { formatTokenAmount } from './amounts.ts'

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
  const funds = fundsOf(chain)
  const reserving = funds.queue.then(async () => {
    const { available } = await getBalance(chain, { account: chain.account.address })
    const shortfall = funds.reserved + amount - available
    if (shortfall > 0n) {
      const { wallet } = await getTokenBalance(chain, { account: chain.account.address })
      if (wallet < shortfall) {
        const token = await getTokenInfo(chain)
        const amount = (value: bigint) => formatTokenAmount(value, token)
        throw new InsufficientFundsError(
          `the order needs ${amount(shortfall)} more than ${chain.account.address} holds (market balance ${amount(available - funds.reserved)}, wallet ${amount(wallet)}); see \`bocc account deposit\``,
        )
      }
      await approveAndDeposit(chain, shortfall)
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

/**
 * Moves `amount` from the wallet into the account's market balance, in the same per-account
 * queue as {@link reserveFunds}, so it never overwrites an order's token approval.
 */
export async function depositFunds(chain: BoccSigner, amount: bigint): Promise<void> {
  const funds = fundsOf(chain)
  const depositing = funds.queue.then(async () => {
    const { wallet } = await getTokenBalance(chain, { account: chain.account.address })
    if (wallet < amount) {
      const token = await getTokenInfo(chain)
      throw new InsufficientFundsError(
        `the wallet of ${chain.account.address} holds ${formatTokenAmount(wallet, token)}, less than the ${formatTokenAmount(amount, token)} to deposit`,
      )
    }
    await approveAndDeposit(chain, amount)
  })
  funds.queue = depositing.catch(() => undefined)
  await depositing
}

function fundsOf(chain: BoccSigner): AccountFunds {
  const key = `${chain.deployment.contracts.market}:${chain.account.address}`.toLowerCase()
  const funds = accounts.get(key) ?? { reserved: 0n, queue: Promise.resolve() }
  accounts.set(key, funds)
  return funds
}

async function approveAndDeposit(chain: BoccSigner, amount: bigint) {
  await approveToken(chain, { amount })
  await deposit(chain, { amount })
}
