import type { Address } from 'viem'
import { BoccError } from '../../../errors.ts'
import type { BoccChain } from '../../boccChain.ts'

export class NoLeaseMarketError extends BoccError {
  override name = 'NoLeaseMarketError'
  constructor() {
    super('this deployment has no lease market (contracts.leases in deployment.json)')
  }
}

/** The lease market of the chain's deployment; deployments older than leases have none. */
export function leasesAddress(chain: BoccChain): Address {
  const address = chain.deployment.contracts.leases
  if (!address) throw new NoLeaseMarketError()
  return address
}
