import type { Address } from 'viem'
import { getLeaseEndpoint } from '../../chain/actions/leases/getLeaseEndpoint.ts'
import type { BoccChain } from '../../chain/boccChain.ts'
import { BoccError } from '../../errors.ts'

export class NoLeaseEndpointError extends BoccError {
  override name = 'NoLeaseEndpointError'
  constructor(provider: Address) {
    super(
      `provider ${provider} published no lease endpoint on-chain: give --endpoint URL (or set BOCC_LEASE_ENDPOINT)`,
    )
  }
}

/**
 * Where to send a lease's sealed requests: the endpoint given, else the one the lease's provider
 * published on-chain. Either is only a hint: the front is untrusted, and the client verifies the
 * enclave behind it before sealing anything, so a wrong endpoint costs availability only.
 */
export async function findLeaseEndpoint(
  chain: BoccChain,
  parameters: { provider: Address; endpoint?: string | undefined },
): Promise<string> {
  if (parameters.endpoint) return parameters.endpoint
  const published = await getLeaseEndpoint(chain, { provider: parameters.provider })
  if (!published) throw new NoLeaseEndpointError(parameters.provider)
  return published
}
