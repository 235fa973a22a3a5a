import { bytesToHex, sha256 } from 'viem'
import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import type { EnclaveReceipt } from './submitReceipts.ts'
import { writeMarket } from './writeMarket.ts'

export type AnswerChallengeParameters = {
  /** The enclave's receipt of the challenged order. */
  receipt: EnclaveReceipt
  /** The output blob, published on-chain. */
  output: Uint8Array
}

export type AnswerChallengeReturnType = WriteContractAndWaitReturnType

/** Answers a challenge by publishing the output on-chain with the enclave's receipt. */
export function answerChallenge(
  chain: BoccSigner,
  parameters: AnswerChallengeParameters,
): Promise<AnswerChallengeReturnType> {
  const { receipt, output } = parameters
  if (sha256(output) !== receipt.outputHash.toLowerCase())
    throw new Error('the output does not match the receipt’s outputHash')
  return writeMarket(chain, 'answerChallenge', [
    receipt.terms,
    receipt.outputHash,
    receipt.wrappedResultKey,
    receipt.signature,
    bytesToHex(output),
  ])
}
