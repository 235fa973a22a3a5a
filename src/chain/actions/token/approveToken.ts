import type { Address } from 'viem'
import { tokenAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'

export type ApproveTokenParameters = {
  /** Who may pull the tokens; the market by default. */
  spender?: Address
  amount: bigint
}

/** Lets the market (or `spender`) pull up to `amount` of the caller's payment tokens. */
export function approveToken(
  chain: BoccSigner,
  parameters: ApproveTokenParameters,
): Promise<WriteContractAndWaitReturnType> {
  return writeContractAndWait(chain, {
    address: chain.deployment.contracts.token,
    abi: tokenAbi,
    functionName: 'approve',
    args: [parameters.spender ?? chain.deployment.contracts.market, parameters.amount],
  })
}
