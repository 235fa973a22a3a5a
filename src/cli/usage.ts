import { BoccError } from '../errors.ts'
import { parseOrderId } from '../protocol/orderTerms.ts'

/** A command line that cannot be run as written (exit code 2). */
export class UsageError extends BoccError {
  override name = 'UsageError'
}

/** The one positional argument that is an order id (hex or decimal), or a usage error. */
export function orderIdArgument(positionals: string[]): bigint {
  const [text] = positionals
  const orderId = text === undefined ? undefined : parseOrderId(text)
  if (positionals.length !== 1 || orderId === undefined)
    throw new UsageError('give exactly one order id (0x and 64 hex digits, or a decimal number)')
  return orderId
}
