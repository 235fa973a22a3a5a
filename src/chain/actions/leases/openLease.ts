import { type Hash, parseEventLogs } from 'viem'
import { leasesAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { approveToken } from '../token/approveToken.ts'
import { leasesAddress } from './leasesAddress.ts'
import { quoteLease } from './quoteLease.ts'
import { writeLeases } from './writeLeases.ts'

export type OpenLeaseParameters = {
  teeOfferId: number
  solutionOfferId: number
  durationSeconds: number
  /** Tokens in and out the lease may use in all. */
  maxTokens: bigint
}

export type OpenLeaseReturnType = {
  leaseId: bigint
  escrow: bigint
  endsAt: number
  transactionHash: Hash
}

/** Approves the lease's price and opens it; the escrow comes from the caller's wallet. */
export async function openLease(
  chain: BoccSigner,
  parameters: OpenLeaseParameters,
): Promise<OpenLeaseReturnType> {
  const escrow = await quoteLease(chain, parameters)
  await approveToken(chain, { spender: leasesAddress(chain), amount: escrow })
  const { hash, receipt } = await writeLeases(chain, 'openLease', [
    parameters.teeOfferId,
    parameters.solutionOfferId,
    parameters.durationSeconds,
    parameters.maxTokens,
  ])
  const [opened] = parseEventLogs({ abi: leasesAbi, eventName: 'LeaseOpened', logs: receipt.logs })
  if (!opened) throw new Error('unreachable: openLease emits LeaseOpened')
  return {
    leaseId: opened.args.leaseId,
    escrow: opened.args.escrow,
    endsAt: opened.args.endsAt,
    transactionHash: hash,
  }
}
