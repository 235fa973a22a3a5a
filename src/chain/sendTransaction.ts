import {
  type Abi,
  BaseError,
  type ContractFunctionArgs,
  type ContractFunctionName,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { BoccError } from '../errors.ts'
import { boccTokenAbi } from './artifacts.ts'
import type { SignerConnection } from './connectChain.ts'

export class TransactionRevertedError extends BoccError {
  override name = 'TransactionRevertedError'
  /** The contract's custom error name, when it gave one. */
  readonly errorName: string | undefined
  constructor(
    functionName: string,
    errorName: string | undefined,
    args: readonly unknown[],
    cause?: unknown,
  ) {
    super(
      errorName
        ? `${functionName} was rejected: ${errorName}(${args.map(String).join(', ')})`
        : `${functionName} was rejected by the chain`,
      { cause },
    )
    this.errorName = errorName
  }
}

export type SendParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
> = {
  address: `0x${string}`
  abi: abi
  functionName: functionName
  args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>
}

/**
 * Simulates a contract call (so a revert reports the contract's custom error), sends it, and waits
 * for it to be mined, as on any real chain.
 */
export async function sendTransaction<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
>(
  connection: SignerConnection,
  parameters: SendParameters<abi, functionName>,
): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  let hash: Hash
  try {
    // viem's generic call types do not narrow through this wrapper; the parameters are typed above.
    const { request } = await connection.publicClient.simulateContract({
      ...(parameters as unknown as Parameters<typeof connection.publicClient.simulateContract>[0]),
      account: connection.account,
    })
    hash = await connection.walletClient.writeContract(request)
  } catch (error) {
    throw asRevertError(parameters.functionName, error)
  }
  const receipt = await connection.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success')
    throw new TransactionRevertedError(parameters.functionName, undefined, [])
  return { hash, receipt }
}

function decodeTokenError(raw: Hex | undefined) {
  if (!raw) return undefined
  try {
    return decodeErrorResult({ abi: boccTokenAbi, data: raw })
  } catch {
    return undefined
  }
}

/** The error a failed contract call or simulation raised, as a BoccError naming the contract's custom error. */
export function asRevertError(functionName: string, error: unknown): BoccError {
  if (error instanceof BaseError) {
    const revert = error.walk((inner) => inner instanceof ContractFunctionRevertedError)
    if (revert instanceof ContractFunctionRevertedError) {
      // Errors the payment token raises inside a protocol call are not in the protocol's ABI.
      const decoded = revert.data ?? decodeTokenError(revert.raw)
      return new TransactionRevertedError(
        functionName,
        decoded?.errorName ?? revert.reason,
        decoded?.args ?? [],
        error,
      )
    }
    return new BoccError(`${functionName} failed: ${error.shortMessage}`, { cause: error })
  }
  return new BoccError(`${functionName} failed`, { cause: error })
}
