import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeLeases } from './writeLeases.ts'

export type CloseLeaseParameters = { leaseId: bigint }

/** The customer ends its lease now; the rest of the escrow is refunded when it is finalised. */
export function closeLease(
  chain: BoccSigner,
  parameters: CloseLeaseParameters,
): Promise<WriteContractAndWaitReturnType> {
  return writeLeases(chain, 'closeLease', [parameters.leaseId])
}
