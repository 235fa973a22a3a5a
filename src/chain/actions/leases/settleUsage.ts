import type { SignedLeaseUsage } from '../../../protocol/leaseUsage.ts'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeLeases } from './writeLeases.ts'

export type SettleUsageParameters = {
  /** Enclave-signed cumulative usages of the caller's leases, any number of leases in one call. */
  batch: SignedLeaseUsage[]
}

/** Settles a batch of signed usage; only what grew since each enclave's last settlement is charged. */
export function settleUsage(
  chain: BoccSigner,
  parameters: SettleUsageParameters,
): Promise<WriteContractAndWaitReturnType> {
  return writeLeases(chain, 'settleUsage', [
    parameters.batch.map((item) => ({
      leaseId: item.leaseId,
      enclave: item.enclave,
      usage: { tokensIn: item.tokensIn, tokensOut: item.tokensOut, requests: item.requests },
      signature: item.signature,
    })),
  ])
}
