import type { Command } from 'commander'
import { isAddress } from 'viem'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { printFields, printJson } from '../output.ts'
import { UsageError } from '../usage.ts'

export function define(command: Command) {
  addNetworkOptions(command, { key: true })
  command.option('--account <address>', 'another account to look at (default: the key’s)')
  addJsonOption(command)
  addExamples(command, 'bocc account balance', 'bocc account balance --account 0x3C44…93BC --json')
}

export async function run(
  options: NetworkFlags & { account?: string; json: boolean },
): Promise<number> {
  if (options.account !== undefined && !isAddress(options.account))
    throw new UsageError(`--account ${options.account} is not an address`)
  const { client } = await clientFrom(options, { account: options.account === undefined })
  const balance = await client.getBalance(
    options.account === undefined ? {} : { account: options.account as `0x${string}` },
  )
  const token = await client.token()
  if (options.json) {
    printJson({ ...balance, token: token.symbol, decimals: token.decimals })
    return 0
  }
  printFields([
    ['account', balance.account],
    ['wallet', await client.formatAmount(balance.wallet)],
    ['available', await client.formatAmount(balance.available)],
    [
      'pending',
      `${await client.formatAmount(balance.pending)}${balance.pendingMaturesAt ? ` (matures ${balance.pendingMaturesAt})` : ''}`,
    ],
  ])
  return 0
}
