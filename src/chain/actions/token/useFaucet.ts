import { tokenAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'

/** Mints test tokens to the caller from the test token's faucet (local and test networks only). */
export function useFaucet(
  chain: BoccSigner,
  parameters: { amount: bigint },
): Promise<WriteContractAndWaitReturnType> {
  return writeContractAndWait(chain, {
    address: chain.deployment.contracts.token,
    abi: tokenAbi,
    functionName: 'faucet',
    args: [parameters.amount],
  })
}
