import type { Hex } from 'viem'
import type { OrderTerms } from '../../../protocol/orderTerms.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { type BatchOutcome, batchOutcome } from './batchOutcome.ts'
import { writeMarket } from './writeMarket.ts'

/** An enclave's receipt for one order. */
export type EnclaveReceipt = {
  terms: OrderTerms
  outputHash: Hex
  /** The result key sealed to the customer, revealed on-chain by submitting the receipt. */
  wrappedResultKey: Hex
  signature: Hex
}

export type SubmitReceiptsParameters = { receipts: readonly EnclaveReceipt[] }

export type SubmitReceiptsReturnType = BatchOutcome

/** Completes orders with their enclaves' receipts in one transaction, skipping those that cannot complete. */
export async function submitReceipts(
  chain: BoccSigner,
  parameters: SubmitReceiptsParameters,
): Promise<SubmitReceiptsReturnType> {
  const { hash, receipt } = await writeMarket(chain, 'submitReceipts', [parameters.receipts])
  return batchOutcome(receipt.logs, 'OrderCompleted', hash)
}
