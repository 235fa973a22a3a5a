import { type Address, bytesToHex, type Hash, type TransactionReceipt } from 'viem'
import { tdxQuoteVerifierAbi } from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { writeContractAndWait } from '../../writeContractAndWait.ts'

export type SendTdxQuoteVerificationParameters = {
  verifier: Address
  quote: Uint8Array
}

export type SendTdxQuoteVerificationReturnType = { hash: Hash; receipt: TransactionReceipt }

/**
 * Verifies a quote in a mined transaction, as a contract calling the verifier would; a PCK CA the
 * store lacks is taken from the quote, verified to the root and cached. The verdict itself is
 * what {@link verifyTdxQuote} reads.
 */
export async function sendTdxQuoteVerification(
  connection: SignerConnection,
  parameters: SendTdxQuoteVerificationParameters,
): Promise<SendTdxQuoteVerificationReturnType> {
  return writeContractAndWait(connection, {
    address: parameters.verifier,
    abi: tdxQuoteVerifierAbi,
    functionName: 'verifyQuote',
    args: [bytesToHex(parameters.quote)],
  })
}
