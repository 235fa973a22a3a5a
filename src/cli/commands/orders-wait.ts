import type { Command } from 'commander'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { orderJson, printJson } from '../output.ts'
import { createProgress } from '../progress.ts'
import { parseCount, parseOrderIdArgument } from '../usage.ts'

export function define(command: Command) {
  command.argument('<order-id>', 'the order id (0x and 64 hex digits)')
  command.option('--timeout <seconds>', 'give up after this long', '600')
  addNetworkOptions(command)
  addJsonOption(command)
  addExamples(command, 'bocc orders wait 0x0c4d…8cca')
}

/** Exit 0 once the receipt is on-chain; 1 if the order ended without a result or time ran out. */
export async function run(
  text: string,
  options: NetworkFlags & { timeout: string; json: boolean },
): Promise<number> {
  const orderId = parseOrderIdArgument(text)
  const timeoutMs = parseCount(options.timeout, '--timeout') * 1000
  const { client } = await clientFrom(options)
  const progress = createProgress(options)
  try {
    const order = await client.waitForOrder({ orderId, timeoutMs, onProgress: progress.listener })
    progress.done()
    if (options.json) printJson(orderJson(order))
    else console.log(`completed: output ${order.completion?.outputHash}`)
    return 0
  } finally {
    progress.done()
  }
}
