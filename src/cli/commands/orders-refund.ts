import type { Command } from 'commander'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { orderJson, printJson } from '../output.ts'
import { parseOrderIdArgument } from '../usage.ts'

export function define(command: Command) {
  command.argument('<order-id>', 'the order id (0x and 64 hex digits)')
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(command, 'bocc orders refund 0x0c4d…8cca')
}

/** Refunds an order whose acceptance, delivery or challenge answer is overdue (anyone may); a provider that missed its deadline is slashed. */
export async function run(
  text: string,
  options: NetworkFlags & { json: boolean },
): Promise<number> {
  const orderId = parseOrderIdArgument(text)
  const { client } = await clientFrom(options, { account: true })
  const order = await client.refundOrder({ orderId })
  if (options.json) printJson(orderJson(order))
  else console.log(`order ${orderJson(order).orderId}: ${order.status}`)
  return 0
}
