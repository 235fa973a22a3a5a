import type { BoccChain } from '../../boccChain.ts'
import { readLeases } from './readLeases.ts'

export type GetLeaseFinalizableAtParameters = { leaseId: bigint }

/** When a lease can be finalised (unix seconds), or 0 while it runs. */
export function getLeaseFinalizableAt(
  chain: BoccChain,
  parameters: GetLeaseFinalizableAtParameters,
): Promise<number> {
  return readLeases(chain, 'finalizableAt', [parameters.leaseId])
}
