import { type Address, encodeFunctionData, type TransactionReceipt } from 'viem'
import { BoccError } from '../../../errors.ts'
import { registryAbi } from '../../abis.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { sendTransactionAndWait, type TransactionSending } from '../../sendTransactionAndWait.ts'

export type AttachMarketParameters = TransactionSending & {
  /** The registry or the catalog: a contract whose changes the market keeps a copy of. */
  source: Address
  market: Address
}

export type AttachMarketReturnType = { receipt: TransactionReceipt }

/**
 * Wiring at deployment: tells `source` the market it pushes its changes to (`attachMarket` of
 * contracts/interfaces/IMarketWiring.sol, the same on the registry and the catalog). The account
 * that deployed `source` only, once.
 */
export async function attachMarket(
  connection: SignerConnection,
  { source, market, ...sending }: AttachMarketParameters,
): Promise<AttachMarketReturnType> {
  const { receipt } = await sendTransactionAndWait(connection, {
    ...sending,
    to: source,
    data: encodeFunctionData({ abi: registryAbi, functionName: 'attachMarket', args: [market] }),
  })
  if (receipt.status !== 'success')
    throw new BoccError(
      `attaching the market ${market} to ${source} failed (transaction ${receipt.transactionHash})`,
    )
  return { receipt }
}
