import type { ContractFunctionReturnType } from 'viem'
import type { leasesAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'
import { readLeases } from './readLeases.ts'

export type Lease = ContractFunctionReturnType<typeof leasesAbi, 'view', 'getLease'>

export type GetLeaseParameters = { leaseId: bigint }

/** A lease, or undefined if there is none with this id. */
export async function getLease(
  chain: BoccChain,
  parameters: GetLeaseParameters,
): Promise<Lease | undefined> {
  const lease = await readLeases(chain, 'getLease', [parameters.leaseId])
  return lease.customer === '0x0000000000000000000000000000000000000000' ? undefined : lease
}
