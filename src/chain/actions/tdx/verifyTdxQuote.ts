import { type Address, bytesToHex, type ContractFunctionReturnType } from 'viem'
import { tdxQuoteVerifierAbi } from '../../artifacts.ts'
import type { ChainConnection } from '../../connectChain.ts'
import { asRevertError } from '../../writeContractAndWait.ts'

export type VerifyTdxQuoteParameters = {
  verifier: Address
  /** The quote bytes as the quoting enclave produced them (trailing padding is ignored). */
  quote: Uint8Array
}

/** The verdict: status, advisories, measurements, report data, FMSPC, platform ID and the platform TCB. */
export type VerifyTdxQuoteReturnType = ContractFunctionReturnType<
  typeof tdxQuoteVerifierAbi,
  'nonpayable',
  'verifyQuote'
>

/**
 * The on-chain verifier's verdict on a quote at the latest block, by simulation (nothing is mined,
 * so nothing is cached). Throws a BoccError naming the contract's error when the quote fails.
 */
export async function verifyTdxQuote(
  connection: ChainConnection,
  parameters: VerifyTdxQuoteParameters,
): Promise<VerifyTdxQuoteReturnType> {
  try {
    const { result } = await connection.publicClient.simulateContract({
      address: parameters.verifier,
      abi: tdxQuoteVerifierAbi,
      functionName: 'verifyQuote',
      args: [bytesToHex(parameters.quote)],
    })
    return result
  } catch (error) {
    throw asRevertError('verifyQuote', error)
  }
}
