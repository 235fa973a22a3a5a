import type { BoccChain } from '../../boccChain.ts'
import { readRegistry } from './readRegistry.ts'

export type GetCommitteeReturnType = {
  /** The current committee's epoch: approvals are signed for it. */
  epoch: bigint
  /** Approvals needed. */
  threshold: number
}

/** The current verifier committee's epoch and threshold. */
export async function getCommittee(chain: BoccChain): Promise<GetCommitteeReturnType> {
  const [epoch, threshold] = await Promise.all([
    readRegistry(chain, 'committeeEpoch', []),
    readRegistry(chain, 'committeeThreshold', []),
  ])
  return { epoch, threshold }
}
