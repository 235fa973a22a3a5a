import type { Command } from 'commander'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from './networkOptions.ts'
import { printJson } from './output.ts'
import { parseAmountArgument } from './usage.ts'

/**
 * `bocc account deposit` and `bocc account withdraw`: move an amount between the account's wallet
 * and its market balance, and print the balances after.
 */
export function accountTransfer(direction: 'deposit' | 'withdraw') {
  return {
    define(command: Command) {
      command.argument('<amount>', 'in token units, for example 10 or 2.5 tBOCC')
      addNetworkOptions(command, { key: true })
      addJsonOption(command)
      addExamples(command, `bocc account ${direction} 10`)
    },
    async run(text: string, options: NetworkFlags & { json?: boolean }): Promise<number> {
      const { client } = await clientFrom(options, { account: true })
      const amount = parseAmountArgument(text, await client.token())
      await client[direction]({ amount })
      const balance = await client.getBalance()
      if (options.json)
        printJson({
          account: balance.account,
          amount,
          available: balance.available,
          wallet: balance.wallet,
        })
      else
        console.log(
          `${direction === 'deposit' ? 'deposited' : 'withdrew'} ${await client.formatAmount(amount)}; available ${await client.formatAmount(balance.available)}, wallet ${await client.formatAmount(balance.wallet)}`,
        )
      return 0
    },
  }
}
