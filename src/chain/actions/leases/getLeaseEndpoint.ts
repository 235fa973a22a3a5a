import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readLeases } from './readLeases.ts'

export type GetLeaseEndpointParameters = { provider: Address }

/** The lease front URL a provider published, or undefined if it published none. */
export async function getLeaseEndpoint(
  chain: BoccChain,
  parameters: GetLeaseEndpointParameters,
): Promise<string | undefined> {
  const url = await readLeases(chain, 'leaseEndpointOf', [parameters.provider])
  return url === '' ? undefined : url
}
