import type { SignedLeaseUsage } from '../../../protocol/leaseUsage.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeLeases } from './writeLeases.ts'

export type ProveOverClaimParameters = {
  /** A usage the lease's enclave signed that the customer holds, with fewer tokens than settled. */
  usage: SignedLeaseUsage
}

/** The customer proves a settled claim over what the enclave signed; the lease's charges are void. */
export function proveOverClaim(
  chain: BoccSigner,
  parameters: ProveOverClaimParameters,
): Promise<WriteContractAndWaitReturnType> {
  const { usage } = parameters
  return writeLeases(chain, 'proveOverClaim', [
    usage.leaseId,
    usage.enclave,
    { tokensIn: usage.tokensIn, tokensOut: usage.tokensOut, requests: usage.requests },
    usage.signature,
  ])
}
