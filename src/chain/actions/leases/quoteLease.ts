import type { BoccChain } from '../../boccChain.ts'
import { getSolutionOffer } from '../catalog/getSolutionOffer.ts'
import { getTeeOffer } from '../market/getTeeOffer.ts'

export type QuoteLeaseParameters = {
  teeOfferId: number
  solutionOfferId: number
  durationSeconds: number
  maxTokens: bigint
}

/**
 * What a lease escrows, as contracts/leases/LeaseMarket.sol computes it: the TEE offer's price per
 * hour of the window and the solution offer's price per 1,000 tokens of the budget, each rounded up.
 */
export async function quoteLease(
  chain: BoccChain,
  parameters: QuoteLeaseParameters,
): Promise<bigint> {
  const [tee, solution] = await Promise.all([
    getTeeOffer(chain, { offerId: parameters.teeOfferId }),
    getSolutionOffer(chain, { offerId: parameters.solutionOfferId }),
  ])
  const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b
  return (
    ceilDiv((tee?.price ?? 0n) * BigInt(parameters.durationSeconds), 3600n) +
    ceilDiv((solution?.price ?? 0n) * parameters.maxTokens, 1000n)
  )
}
