import { formatUnits, parseUnits } from 'viem'
import type { TokenInfo } from '../chain/actions/token/getTokenInfo.ts'
import { BoccError } from '../errors.ts'

/** An amount as people read it: in token units with the token's decimals, and its symbol (`7.07 tBOCC`). */
export function formatTokenAmount(amount: bigint, token: TokenInfo): string {
  return `${formatUnits(amount, token.decimals)} ${token.symbol}`
}

export class AmountFormatError extends BoccError {
  override name = 'AmountFormatError'
}

/**
 * An amount written in token units (`7.07`, or `7.07 tBOCC` with the token's own symbol), in the
 * token's smallest unit. More decimals than the token has, a negative amount or another symbol is
 * refused.
 */
export function parseTokenAmount(text: string, token: TokenInfo): bigint {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z][\w.-]*)?\s*$/.exec(text)
  if (!match)
    throw new AmountFormatError(
      `${text} is not an amount (write it in token units, for example 7.07 or 7.07 ${token.symbol})`,
    )
  const [, number = '', symbol] = match
  if (symbol !== undefined && symbol !== token.symbol)
    throw new AmountFormatError(`${text}: this market pays in ${token.symbol}, not ${symbol}`)
  const decimals = number.split('.')[1]?.length ?? 0
  if (decimals > token.decimals)
    throw new AmountFormatError(
      `${text} has more than the ${token.decimals} decimals of ${token.symbol}`,
    )
  return parseUnits(number, token.decimals)
}
