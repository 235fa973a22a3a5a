import type { Address } from 'viem'
import type { ChainConnection } from '../../connectChain.ts'
import { safe } from '../../safeArtifacts.ts'

export type GetSafeOwnersReturnType = {
  /** The Safe's owners, as the Safe lists them. */
  owners: Address[]
  /** Owner signatures a transaction of the Safe needs. */
  threshold: number
}

/** The owners and threshold of a Safe multisig, read from the chain. */
export async function getSafeOwners(
  chain: ChainConnection,
  parameters: { safe: Address },
): Promise<GetSafeOwnersReturnType> {
  const [owners, threshold] = await Promise.all([
    chain.publicClient.readContract({
      address: parameters.safe,
      abi: safe.abi,
      functionName: 'getOwners',
    }),
    chain.publicClient.readContract({
      address: parameters.safe,
      abi: safe.abi,
      functionName: 'getThreshold',
    }),
  ])
  return { owners: [...(owners as Address[])], threshold: Number(threshold as bigint) }
}
