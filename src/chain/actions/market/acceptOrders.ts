import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { type BatchOutcome, batchOutcome } from './batchOutcome.ts'
import { writeMarket } from './writeMarket.ts'

export type AcceptOrdersParameters = {
  /** Terms of orders on the caller's TEE offers. */
  terms: readonly OrderTerms[]
}

export type AcceptOrdersReturnType = BatchOutcome

/**
 * Accepts orders in one transaction (locking stake and capacity for each); an order that cannot
 * be accepted is skipped, with the reason, and the others go through.
 */
export async function acceptOrders(
  chain: BoccSigner,
  parameters: AcceptOrdersParameters,
): Promise<AcceptOrdersReturnType> {
  const { hash, receipt } = await writeMarket(chain, 'acceptOrders', [parameters.terms])
  return batchOutcome(receipt.logs, 'OrderAccepted', hash)
}
