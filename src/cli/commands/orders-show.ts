import type { Command } from 'commander'
import type { BoccClient } from '../../client/createBoccClient.ts'
import type { OrderRecord } from '../../client/readOrder.ts'
import { describeFailureReason } from '../../protocol/failureReasons.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { orderJson, printFields, printJson } from '../output.ts'
import { parseOrderIdArgument } from '../usage.ts'

export function define(command: Command) {
  command.argument('<order-id>', 'the order id (0x and 64 hex digits)')
  addNetworkOptions(command)
  addJsonOption(command)
  addExamples(command, 'bocc orders show 0x0c4d…8cca --json')
}

export async function run(
  text: string,
  options: NetworkFlags & { json: boolean },
): Promise<number> {
  const orderId = parseOrderIdArgument(text)
  const { client } = await clientFrom(options)
  const order = await client.getOrder({ orderId })
  if (options.json) printJson(orderJson(order))
  else await printOrder(client, order)
  return 0
}

/** An order's record as text, one field a line. */
export async function printOrder(client: BoccClient, order: OrderRecord): Promise<void> {
  const json = orderJson(order)
  const amount = (value: string) => client.formatAmount(BigInt(value))
  printFields([
    ['order', json.orderId],
    ['status', json.status],
    ['customer', json.customer],
    ['enclave', json.enclave],
    ['TEE offer', json.teeOfferId],
    ['solution offer', json.solutionOfferId],
    ['data offer', json.dataOfferId],
    ['solution', json.solutionHash],
    ['input', json.inputHash],
    ['output', json.outputHash],
    [
      'price',
      `${await amount(json.price)} (TEE ${await amount(json.teePrice)}, solution ${await amount(json.solutionPrice)}, data ${await amount(json.dataPrice)}, fee ${await amount(json.fee)})`,
    ],
    ['accept by', json.acceptBy],
    ['deadline', json.deadline],
    ...(order.failure
      ? ([['failure', describeFailureReason(order.failure.reason)]] as [string, string][])
      : []),
    ...(json.refund ? ([['refunded', await amount(json.refund)]] as [string, string][]) : []),
  ])
}
