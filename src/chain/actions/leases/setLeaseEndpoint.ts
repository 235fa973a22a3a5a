import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeLeases } from './writeLeases.ts'

export type SetLeaseEndpointParameters = {
  /** The provider's lease front, as customers reach it (`https://…`); empty: none. */
  url: string
}

/** The provider publishes where its lease front is, for customers who have only the lease id. */
export function setLeaseEndpoint(
  chain: BoccSigner,
  parameters: SetLeaseEndpointParameters,
): Promise<WriteContractAndWaitReturnType> {
  return writeLeases(chain, 'setLeaseEndpoint', [parameters.url])
}
