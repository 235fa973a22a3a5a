import type { Address } from 'viem'
import { tokenAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'

/** An account's payment-token balance in its wallet, and what it lets the market pull. */
export async function getTokenBalance(
  chain: BoccChain,
  parameters: { account: Address },
): Promise<{ wallet: bigint; allowance: bigint }> {
  const token = { address: chain.deployment.contracts.token, abi: tokenAbi } as const
  const [wallet, allowance] = await Promise.all([
    chain.publicClient.readContract({
      ...token,
      functionName: 'balanceOf',
      args: [parameters.account],
    }),
    chain.publicClient.readContract({
      ...token,
      functionName: 'allowance',
      args: [parameters.account, chain.deployment.contracts.market],
    }),
  ])
  return { wallet, allowance }
}
