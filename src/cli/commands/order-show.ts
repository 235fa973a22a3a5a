import { parseArgs } from 'node:util'
import { isAddress } from 'viem'
import { connectChain } from '../../chain/connectChain.ts'
import { readOrder } from '../../client/readOrder.ts'
import { formatOrderId } from '../../protocol/orderTerms.ts'
import { orderIdArgument, UsageError } from '../usage.ts'

export const usage = 'bocc order show ORDER_ID --rpc URL --protocol ADDRESS [--json]'
export const summary = 'print an order’s on-chain record'

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { rpc: { type: 'string' }, protocol: { type: 'string' }, json: { type: 'boolean' } },
  })
  const orderId = orderIdArgument(positionals)
  if (!values.rpc) throw new UsageError('--rpc is required')
  if (!values.protocol || !isAddress(values.protocol))
    throw new UsageError('--protocol must be an address')
  const connection = await connectChain(values.rpc)
  const order = await readOrder({ connection, protocol: values.protocol, orderId })
  if (values.json) {
    console.log(
      JSON.stringify(
        order,
        (_, value) => (typeof value === 'bigint' ? value.toString() : value),
        2,
      ),
    )
    return 0
  }
  console.log(`order        ${formatOrderId(order.orderId)}`)
  console.log(`status       ${order.status}`)
  for (const [field, value] of Object.entries(order.terms))
    console.log(`${field.padEnd(12)} ${String(value)}`)
  if (order.completion) {
    console.log(`outputHash   ${order.completion.outputHash}`)
    console.log(`receipt      ${order.completion.signature}`)
  }
  return 0
}
