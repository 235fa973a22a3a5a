import { type Address, encodeFunctionData, type Hex } from 'viem'
import { tokenAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'

/** Sends payment tokens from the caller's wallet to `to`. */
export function transferToken(
  chain: BoccSigner,
  parameters: { to: Address; amount: bigint },
): Promise<WriteContractAndWaitReturnType> {
  return writeContractAndWait(chain, {
    address: chain.deployment.contracts.token,
    abi: tokenAbi,
    functionName: 'transfer',
    args: [parameters.to, parameters.amount],
  })
}

/** The call data of a payment-token transfer, for a transaction built and signed by hand. */
export function encodeTokenTransfer(parameters: { to: Address; amount: bigint }): Hex {
  return encodeFunctionData({
    abi: tokenAbi,
    functionName: 'transfer',
    args: [parameters.to, parameters.amount],
  })
}
