import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readLeases } from './readLeases.ts'

export type GetSettledUsageParameters = { leaseId: bigint; enclave: Address }

/** The usage of one enclave settled so far for a lease (zeros before its first settlement). */
export async function getSettledUsage(chain: BoccChain, parameters: GetSettledUsageParameters) {
  return readLeases(chain, 'settledUsage', [parameters.leaseId, parameters.enclave])
}
