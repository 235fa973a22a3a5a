import {
  BaseError,
  type ContractFunctionReturnType,
  ContractFunctionRevertedError,
  type Hex,
} from 'viem'
import type { catalogAbi } from '../../abis.ts'
import type { BoccChain } from '../../boccChain.ts'
import { decodeBoccError } from '../../writeContractAndWait.ts'
import { readCatalog } from './readCatalog.ts'

export type Quote = ContractFunctionReturnType<typeof catalogAbi, 'view', 'quote'>

export type QuoteOffersParameters = {
  /** Zero: no solution offer. */
  solutionOfferId: number
  /** Zero: no data offer. */
  dataOfferId: number
  teeOfferId: number
  /** The enclave's hardware kind (docs/protocol.md, "Enclave approval"). */
  hardware: number
  /** The enclave's runtime measurement. */
  measurement: Hex
  solutionHash: Hex
}

/** What the vendors would be paid, or the custom error that says why the offers do not fit. */
export type QuoteOffersReturnType =
  | { ok: true; quote: Quote }
  | { ok: false; errorName: string; args: readonly unknown[] }

/** Asks the catalog whether these offers may serve one order together, and at what price. */
export async function quoteOffers(
  chain: BoccChain,
  parameters: QuoteOffersParameters,
): Promise<QuoteOffersReturnType> {
  try {
    const quote = await readCatalog(chain, 'quote', [
      parameters.solutionOfferId,
      parameters.dataOfferId,
      parameters.teeOfferId,
      parameters.hardware,
      parameters.measurement,
      parameters.solutionHash,
    ])
    return { ok: true, quote }
  } catch (error) {
    const revert =
      error instanceof BaseError
        ? error.walk((inner) => inner instanceof ContractFunctionRevertedError)
        : undefined
    if (!(revert instanceof ContractFunctionRevertedError)) throw error
    const decoded = revert.data ?? decodeBoccError(revert.raw)
    return {
      ok: false,
      errorName: decoded?.errorName ?? revert.reason ?? 'reverted',
      args: decoded?.args ?? [],
    }
  }
}
