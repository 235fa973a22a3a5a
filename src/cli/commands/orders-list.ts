import type { Command } from 'commander'
import { isAddress } from 'viem'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { orderJson, printJson } from '../output.ts'
import { UsageError } from '../usage.ts'

export function define(command: Command) {
  addNetworkOptions(command, { key: true })
  command.option('--customer <address>', 'another customer’s orders (default: the key’s)')
  addJsonOption(command)
  addExamples(command, 'bocc orders list', 'bocc orders list --json')
}

export async function run(
  options: NetworkFlags & { customer?: string; json: boolean },
): Promise<number> {
  if (options.customer !== undefined && !isAddress(options.customer))
    throw new UsageError(`--customer ${options.customer} is not an address`)
  const { client } = await clientFrom(options, { account: options.customer === undefined })
  const orders = await client.listOrders(
    options.customer === undefined ? {} : { customer: options.customer as `0x${string}` },
  )
  if (options.json) {
    printJson({ orders: orders.map(orderJson) })
    return 0
  }
  if (orders.length === 0) console.log('no orders')
  for (const order of orders) {
    const json = orderJson(order)
    console.log(
      `${json.orderId}  ${json.status.padEnd(10)} ${(await client.formatAmount(BigInt(json.price))).padEnd(14)} deadline ${json.deadline}`,
    )
  }
  return 0
}
