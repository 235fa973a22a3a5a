import type { Hex } from 'viem'
import type { Check } from '../attestation/checks.ts'
import type { OrderRecord } from '../client/readOrder.ts'
import { formatOrderId, orderTotal } from '../protocol/orderTerms.ts'
import { formatChecks } from './formatChecks.ts'

/** Prints one JSON object: big integers as decimal strings, as docs/cli.md documents. */
export function printJson(value: unknown): void {
  console.log(
    JSON.stringify(value, (_, item) => (typeof item === 'bigint' ? item.toString() : item), 2),
  )
}

/** A Unix time in seconds as ISO-8601. */
export function isoTime(seconds: number | bigint): string {
  return new Date(Number(seconds) * 1000).toISOString()
}

/** Prints aligned `name  value` lines. */
export function printFields(fields: [string, string | number | bigint | null | undefined][]): void {
  const width = Math.max(...fields.map(([name]) => name.length)) + 2
  for (const [name, value] of fields) console.log(`${name.padEnd(width)}${value ?? '—'}`)
}

/** Prints verification checks by tier, with their score (`formatChecks`). */
export function printChecks(checks: readonly Check[]): void {
  console.log(formatChecks(checks, '  '))
}

/**
 * An order as `--json` prints it (docs/cli.md, "Orders"): every key always present, null when it
 * does not apply.
 */
export function orderJson(order: OrderRecord) {
  const { terms } = order
  const zero = (value: Hex) => (/^0x0*$/.test(value) ? null : value)
  return {
    orderId: formatOrderId(order.orderId),
    status: order.status,
    customer: terms.customer,
    enclave: terms.enclave,
    teeOfferId: terms.teeOfferId,
    solutionOfferId: terms.solutionOfferId === 0 ? null : terms.solutionOfferId,
    dataOfferId: terms.dataOfferId === 0 ? null : terms.dataOfferId,
    solutionVendor: zero(terms.solutionVendor),
    dataVendor: zero(terms.dataVendor),
    solutionHash: terms.solutionHash,
    inputHash: terms.inputHash,
    requestHash: terms.requestHash,
    dataHash: zero(terms.dataHash),
    outputHash: order.completion?.outputHash ?? null,
    price: orderTotal(terms).toString(),
    teePrice: terms.teePrice.toString(),
    solutionPrice: terms.solutionPrice.toString(),
    dataPrice: terms.dataPrice.toString(),
    fee: terms.fee.toString(),
    acceptBy: isoTime(terms.acceptBy),
    deadline: isoTime(terms.deadline),
    failureReason: order.failure?.reason ?? null,
    refund: order.refund ? order.refund.amount.toString() : null,
  }
}
