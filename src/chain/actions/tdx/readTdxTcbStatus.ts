import type { Address, ContractFunctionArgs, ContractFunctionReturnType } from 'viem'
import { tdxQuoteVerifierAbi } from '../../artifacts.ts'
import type { ChainConnection } from '../../connectChain.ts'
import { asRevertError } from '../../writeContractAndWait.ts'

export type ReadTdxTcbStatusParameters = {
  verifier: Address
  /** The `tcb` of an earlier verdict ({@link verifyTdxQuote}). */
  tcb: ContractFunctionArgs<typeof tdxQuoteVerifierAbi, 'view', 'tcbStatusOf'>[0]
}

/** The status, advisories, evaluation number, level date and validity end under today's collateral. */
export type ReadTdxTcbStatusReturnType = ContractFunctionReturnType<
  typeof tdxQuoteVerifierAbi,
  'view',
  'tcbStatusOf'
>

/** The TCB status of a platform verified before, under the collateral stored now. */
export async function readTdxTcbStatus(
  connection: ChainConnection,
  parameters: ReadTdxTcbStatusParameters,
): Promise<ReadTdxTcbStatusReturnType> {
  try {
    return await connection.publicClient.readContract({
      address: parameters.verifier,
      abi: tdxQuoteVerifierAbi,
      functionName: 'tcbStatusOf',
      args: [parameters.tcb],
    })
  } catch (error) {
    throw asRevertError('tcbStatusOf', error)
  }
}
