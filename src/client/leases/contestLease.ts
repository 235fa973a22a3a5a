import type { Address, Hex } from 'viem'
import { getSettledUsage } from '../../chain/actions/leases/getSettledUsage.ts'
import { proveOverClaim } from '../../chain/actions/leases/proveOverClaim.ts'
import type { BoccSigner } from '../../chain/boccChain.ts'
import { BoccError } from '../../errors.ts'
import { getCustomerLease } from './getCustomerLease.ts'
import { defaultLeaseUsageDirectory, readLeaseUsageFile } from './leaseUsageFile.ts'

export class NoUsageRecordError extends BoccError {
  override name = 'NoUsageRecordError'
  constructor(leaseId: bigint, directory: string) {
    super(`lease ${leaseId}: no signed usage is recorded under ${directory} to contest with`)
  }
}

export class NothingToContestError extends BoccError {
  override name = 'NothingToContestError'
}

export type ContestLeaseParameters = {
  leaseId: bigint
  /** Where the records are (default `lease-usage/` in the BOCC home). */
  usageDirectory?: string
}

type Counters = { tokensIn: bigint; tokensOut: bigint; requests: bigint }

export type ContestLeaseReturnType = {
  leaseId: bigint
  /** The enclave whose settled usage was proven false. */
  enclave: Address
  /** What the customer held, signed by that enclave. */
  held: Counters
  /** What the provider had settled for that enclave. */
  settled: Counters
  transaction: Hex
}

/**
 * Contests an over-claim with the customer's own record: for each enclave that served the lease,
 * the contract's rule (`proveOverClaim`, docs/protocol.md "Leases") is that a usage the enclave
 * signed with at least as many requests as the settled one, yet fewer tokens in or out, proves
 * the settlement false — then every charge of the lease is void. A record with fewer requests
 * than settled proves nothing (counters only grow): that is a {@link NothingToContestError}.
 */
export async function contestLease(
  chain: BoccSigner,
  parameters: ContestLeaseParameters,
): Promise<ContestLeaseReturnType> {
  const { leaseId } = parameters
  const directory = parameters.usageDirectory ?? defaultLeaseUsageDirectory()
  const lease = await getCustomerLease(chain, { leaseId, customer: chain.account.address })
  if (lease.finalized)
    throw new NothingToContestError(`lease ${leaseId} is finalised: it is too late to contest it`)
  if (lease.overClaimed)
    throw new NothingToContestError(`lease ${leaseId}: an over-claim was already proven`)
  const record = await readLeaseUsageFile(directory, leaseId)
  if (!record || record.usages.length === 0) throw new NoUsageRecordError(leaseId, directory)
  const verdicts: string[] = []
  for (const usage of record.usages) {
    const held: Counters = {
      tokensIn: BigInt(usage.tokensIn),
      tokensOut: BigInt(usage.tokensOut),
      requests: BigInt(usage.requests),
    }
    const settled = await getSettledUsage(chain, { leaseId, enclave: usage.enclave })
    const overClaimed =
      held.requests >= settled.requests &&
      (held.tokensIn < settled.tokensIn || held.tokensOut < settled.tokensOut)
    if (!overClaimed) {
      verdicts.push(
        held.requests < settled.requests
          ? `enclave ${usage.enclave} settled ${settled.requests} requests, and your record of it is older (${held.requests})`
          : `enclave ${usage.enclave} settled no more than your record of it (${settled.tokensIn} in, ${settled.tokensOut} out)`,
      )
      continue
    }
    const { hash } = await proveOverClaim(chain, {
      usage: {
        ...held,
        leaseId,
        customer: usage.customer,
        enclave: usage.enclave,
        signature: usage.signature,
      },
    })
    return { leaseId, enclave: usage.enclave, held, settled, transaction: hash }
  }
  throw new NothingToContestError(`lease ${leaseId}: nothing to contest: ${verdicts.join('; ')}`)
}
