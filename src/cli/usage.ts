import type { Hex } from 'viem'
import type { TokenInfo } from '../chain/actions/token/getTokenInfo.ts'
import { parseTokenAmount } from '../client/amounts.ts'
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

/** An order id argument (hex, or decimal), or a usage error. */
export function parseOrderIdArgument(text: string): bigint {
  return orderIdArgument([text])
}

/** A lease id argument (a positive decimal number: leases are counted), or a usage error. */
export function parseLeaseIdArgument(text: string): bigint {
  if (!/^[1-9]\d{0,76}$/.test(text))
    throw new UsageError(`${text} is not a lease id (a positive decimal number)`)
  return BigInt(text)
}

/** A `--solution` argument: a solution hash (0x and 64 hex digits), or a usage error. */
export function parseSolutionHashArgument(text: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text))
    throw new UsageError(`--solution ${text} is not a solution hash (0x and 64 hex digits)`)
  return text as Hex
}

/** `--measurement` arguments, each 32 bytes of hex, or a usage error naming the first that is not. */
export function parseMeasurementArguments(texts: readonly string[] = []): Hex[] {
  for (const text of texts)
    if (!/^0x[0-9a-fA-F]{64}$/.test(text))
      throw new UsageError(`--measurement ${text} is not 32 bytes of hex`)
  return texts as Hex[]
}

/** A positive whole number argument (an offer id, seconds), or a usage error. */
export function parseCount(text: string, what: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) <= 0)
    throw new UsageError(`${what} must be a positive whole number, not ${text}`)
  return Number(text)
}

/** An amount argument in token units (`7.07`, `7.07 tBOCC`), or a usage error. */
export function parseAmountArgument(text: string, token: TokenInfo, what = 'the amount'): bigint {
  try {
    return parseTokenAmount(text, token)
  } catch (error) {
    throw new UsageError(`${what}: ${(error as BoccError).shortMessage}`)
  }
}
