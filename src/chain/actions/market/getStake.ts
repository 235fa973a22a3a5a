import type { Address } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readMarket } from './readMarket.ts'

export type GetStakeParameters = { provider: Address }

export type GetStakeReturnType = {
  /** Stake that counts for accepting orders. */
  active: bigint
  /** The part of `active` locked by accepted orders. */
  locked: bigint
  /** Stake waiting for the unstake delay (still slashable). */
  unstaking: bigint
  /** When `unstaking` can be withdrawn (Unix seconds). */
  unlockAt: number
}

/** A provider's stake. */
export async function getStake(
  chain: BoccChain,
  parameters: GetStakeParameters,
): Promise<GetStakeReturnType> {
  const [active, locked, unstaking, unlockAt] = await readMarket(chain, 'stakeOf', [
    parameters.provider,
  ])
  return { active, locked, unstaking, unlockAt }
}
