import type { Hex } from 'viem'
import type { Check } from '../attestation/types.ts'
import type { OrderAudit } from './auditOrder.ts'
import type { FetchedResult } from './fetchResult.ts'
import type { PlacedOrder } from './placeOrder.ts'

/**
 * The customer's own check of the result it received: the public audit of the order, plus that
 * the chain recorded what this customer sent, for the solution it wanted, and that the result
 * decrypted and authenticated under the key only this customer holds.
 */
export function checkResult(parameters: {
  audit: OrderAudit
  placed: PlacedOrder
  fetched: FetchedResult
  solutionHash: Hex
}): { ok: boolean; checks: Check[] } {
  const { audit, placed, fetched } = parameters
  const { terms } = audit.order
  const same = (a: Hex, b: Hex) => a.toLowerCase() === b.toLowerCase()
  const checks: Check[] = [
    ...audit.checks,
    {
      name: 'order is the one this customer placed',
      ok:
        same(terms.customer, placed.terms.customer) &&
        same(terms.inputHash, placed.terms.inputHash) &&
        same(terms.requestHash, placed.terms.requestHash),
      detail: `customer ${terms.customer}`,
    },
    {
      name: 'solution hash',
      ok: same(terms.solutionHash, parameters.solutionHash),
      detail: `the solution that ran is ${terms.solutionHash.slice(0, 18)}…`,
    },
    {
      name: 'result decrypted and authenticated',
      ok: true,
      detail: `${fetched.result.lines.length} lines, AES-256-GCM chunks all authentic`,
    },
  ]
  return { ok: checks.every((item) => item.ok), checks }
}
