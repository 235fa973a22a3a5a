import { parseEventLogs } from 'viem'
import { leasesAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { writeLeases } from './writeLeases.ts'

export type FinalizeLeaseParameters = { leaseId: bigint }

export type FinalizeLeaseReturnType = { providerPaid: bigint; vendorPaid: bigint; refund: bigint }

/** Pays out an ended lease once its settlement window is over (anyone may). */
export async function finalizeLease(
  chain: BoccSigner,
  parameters: FinalizeLeaseParameters,
): Promise<FinalizeLeaseReturnType> {
  const { receipt } = await writeLeases(chain, 'finalizeLease', [parameters.leaseId])
  const [finalized] = parseEventLogs({
    abi: leasesAbi,
    eventName: 'LeaseFinalized',
    logs: receipt.logs,
  })
  if (!finalized) throw new Error('unreachable: finalizeLease emits LeaseFinalized')
  const { providerPaid, vendorPaid, refund } = finalized.args
  return { providerPaid, vendorPaid, refund }
}
