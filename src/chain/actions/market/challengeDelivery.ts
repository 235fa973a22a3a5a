import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeMarket } from './writeMarket.ts'

export type ChallengeDeliveryParameters = {
  /** The order's terms, as its `OrderCreated` event gave them. */
  terms: OrderTerms
}

export type ChallengeDeliveryReturnType = WriteContractAndWaitReturnType

/** The customer says a completed order's output is withheld, posting the challenge bond. */
export function challengeDelivery(
  chain: BoccSigner,
  parameters: ChallengeDeliveryParameters,
): Promise<ChallengeDeliveryReturnType> {
  return writeMarket(chain, 'challengeDelivery', [parameters.terms])
}
