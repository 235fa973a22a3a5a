import type { Command } from 'commander'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from './networkOptions.ts'
import { orderJson, printJson } from './output.ts'
import { parseOrderIdArgument } from './usage.ts'

/**
 * `bocc orders cancel` (the customer's order, before acceptance: the escrow comes back) and
 * `bocc orders refund` (anyone's order whose acceptance, delivery or challenge answer is overdue;
 * a provider that missed its deadline is slashed): end an order without delivery.
 */
export function orderExit(exit: 'cancel' | 'refund') {
  return {
    define(command: Command) {
      command.argument('<order-id>', 'the order id (0x and 64 hex digits)')
      addNetworkOptions(command, { key: true })
      addJsonOption(command)
      addExamples(command, `bocc orders ${exit} 0x0c4d…8cca`)
    },
    async run(text: string, options: NetworkFlags & { json?: boolean }): Promise<number> {
      const orderId = parseOrderIdArgument(text)
      const { client } = await clientFrom(options, { account: true })
      const order = await (exit === 'cancel'
        ? client.cancelOrder({ orderId })
        : client.refundOrder({ orderId }))
      if (options.json) printJson(orderJson(order))
      else console.log(`order ${orderJson(order).orderId}: ${order.status}`)
      return 0
    },
  }
}
