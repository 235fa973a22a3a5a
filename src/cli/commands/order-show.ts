import { parseArgs } from 'node:util'
import { readOrder } from '../../client/readOrder.ts'
import { formatOrderId } from '../../protocol/orderTerms.ts'
import { chainFrom, networkOptions } from '../networkOptions.ts'
import { orderIdArgument } from '../usage.ts'

export const usage = 'bocc order show ORDER_ID --deployment FILE [--rpc URL] [--json]'
export const summary = 'print an order’s on-chain record'

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...networkOptions, json: { type: 'boolean' } },
  })
  const orderId = orderIdArgument(positionals)
  const chain = await chainFrom(values)
  const order = await readOrder(chain, { orderId })
  if (values.json) {
    console.log(
      JSON.stringify(
        { ...order, orderId: formatOrderId(order.orderId) },
        (_, value) => (typeof value === 'bigint' ? value.toString() : value),
        2,
      ),
    )
    return 0
  }
  console.log(`order        ${formatOrderId(order.orderId)}`)
  console.log(`status       ${order.status}`)
  for (const [field, value] of Object.entries(order.terms))
    console.log(`${field.padEnd(16)} ${String(value)}`)
  if (order.completion) {
    console.log(`outputHash       ${order.completion.outputHash}`)
    console.log(`receipt          ${order.completion.signature}`)
  }
  return 0
}
