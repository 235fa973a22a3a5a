import { type Address, getAddress } from 'viem'
import { getLease, type Lease } from '../../chain/actions/leases/getLease.ts'
import type { BoccChain } from '../../chain/boccChain.ts'
import { BoccError } from '../../errors.ts'

export class LeaseNotFoundError extends BoccError {
  override name = 'LeaseNotFoundError'
  constructor(leaseId: bigint) {
    super(`lease ${leaseId} does not exist`)
  }
}

export class NotYourLeaseError extends BoccError {
  override name = 'NotYourLeaseError'
  constructor(leaseId: bigint, customer: Address) {
    super(`lease ${leaseId} belongs to ${customer}, not to this key`)
  }
}

/** The lease, read on-chain, if it exists and `customer` is its customer; else a typed error. */
export async function getCustomerLease(
  chain: BoccChain,
  parameters: { leaseId: bigint; customer: Address },
): Promise<Lease> {
  const { leaseId } = parameters
  const lease = await getLease(chain, { leaseId })
  if (!lease) throw new LeaseNotFoundError(leaseId)
  if (getAddress(lease.customer) !== getAddress(parameters.customer))
    throw new NotYourLeaseError(leaseId, lease.customer)
  return lease
}
