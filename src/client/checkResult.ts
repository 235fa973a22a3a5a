import type { Hex } from 'viem'
import { type Check, checkOf, checksPassed } from '../attestation/checks.ts'
import type { OrderAudit } from './auditOrder.ts'
import type { FetchedOutputs, FetchedResult } from './fetchResult.ts'
import type { PlacedOrder } from './placeOrder.ts'

/**
 * The customer's own check of the result it received: the public audit of the order, plus that
 * the chain recorded what this customer sent, for the solution it wanted, and that the result
 * decrypted and authenticated under the key only this customer holds.
 */
export function checkResult(parameters: {
  audit: OrderAudit
  placed: PlacedOrder
  /** An OCR order's text, or any order's named outputs. */
  fetched: FetchedResult | FetchedOutputs
  solutionHash: Hex
}): { ok: boolean; checks: Check[] } {
  const { audit, placed, fetched } = parameters
  const { terms } = audit.order
  const same = (a: Hex, b: Hex) => a.toLowerCase() === b.toLowerCase()
  const checks: Check[] = [
    ...audit.checks,
    checkOf(
      'order is the one this customer placed',
      same(terms.customer, placed.terms.customer) &&
        same(terms.inputHash, placed.terms.inputHash) &&
        same(terms.requestHash, placed.terms.requestHash),
      `customer ${terms.customer}`,
      'order',
    ),
    checkOf(
      'solution hash',
      same(terms.solutionHash, parameters.solutionHash),
      `the solution that ran is ${terms.solutionHash.slice(0, 18)}…`,
      'supply chain and transparency',
    ),
    checkOf(
      'result decrypted and authenticated',
      true,
      'result' in fetched
        ? `${fetched.result.lines.length} lines, AES-256-GCM chunks all authentic`
        : `${Object.keys(fetched.outputs).length} output(s), AES-256-GCM chunks all authentic`,
      'order',
    ),
  ]
  return { ok: checksPassed(checks), checks }
}
