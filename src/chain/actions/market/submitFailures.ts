import type { Hex } from 'viem'
import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { type BatchOutcome, batchOutcome } from './batchOutcome.ts'
import { writeMarket } from './writeMarket.ts'

/** An enclave's signed failure for one order (reason codes: src/protocol/failureReasons.ts). */
export type EnclaveFailure = { terms: OrderTerms; reason: number; signature: Hex }

export type SubmitFailuresParameters = { failures: readonly EnclaveFailure[] }

export type SubmitFailuresReturnType = BatchOutcome

/** Ends orders with their enclaves' signed failures in one transaction: refunds, no slashing. */
export async function submitFailures(
  chain: BoccSigner,
  parameters: SubmitFailuresParameters,
): Promise<SubmitFailuresReturnType> {
  const { hash, receipt } = await writeMarket(chain, 'submitFailures', [parameters.failures])
  return batchOutcome(receipt.logs, 'OrderFailed', hash)
}
