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
import { allAbis } from './abis.ts'
import type { SignerConnection } from './connectChain.ts'

export class TransactionRevertedError extends BoccError {
  override name = 'TransactionRevertedError'
  /** The contract's custom error name, when it gave one. */
  readonly errorName: string | undefined
  /** The custom error's arguments. */
  readonly errorArgs: readonly unknown[]
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
    this.errorArgs = args
  }
}

export type WriteContractAndWaitParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
> = {
  address: `0x${string}`
  abi: abi
  functionName: functionName
  args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>
}

export type WriteContractAndWaitReturnType = { hash: Hash; receipt: TransactionReceipt }

/**
 * Simulates a contract call (so a revert reports the contract's custom error, whichever BOCC
 * contract raised it), sends it, and waits for it to be mined, as on any real chain.
 */
export async function writeContractAndWait<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
>(
  connection: SignerConnection,
  parameters: WriteContractAndWaitParameters<abi, functionName>,
): Promise<WriteContractAndWaitReturnType> {
  let hash: Hash
  try {
    // viem's generic call types do not narrow through this wrapper; the parameters are typed above.
    const { request } = await connection.publicClient.simulateContract({
      ...(parameters as unknown as Parameters<typeof connection.publicClient.simulateContract>[0]),
      account: connection.account,
    })
    hash = await connection.walletClient.writeContract(request)
  } catch (error) {
    // A nonce taken for a transaction that was never sent would leave a gap no later one fills.
    connection.account.nonceManager?.reset({
      address: connection.account.address,
      chainId: connection.chain.id,
    })
    throw asRevertError(parameters.functionName, error)
  }
  const receipt = await connection.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success')
    throw new TransactionRevertedError(parameters.functionName, undefined, [])
  return { hash, receipt }
}

/** A custom error of any BOCC contract (or the token) in revert data, decoded. */
export function decodeBoccError(
  raw: Hex | undefined,
): { errorName: string; args: readonly unknown[] } | undefined {
  if (!raw || raw === '0x') return undefined
  try {
    const decoded = decodeErrorResult({ abi: allAbis, data: raw })
    return { errorName: decoded.errorName, args: decoded.args ?? [] }
  } catch {
    return undefined
  }
}

/** The error a failed contract call or simulation raised, as a BoccError naming the contract's custom error. */
export function asRevertError(functionName: string, error: unknown): BoccError {
  if (error instanceof BaseError) {
    const revert = error.walk((inner) => inner instanceof ContractFunctionRevertedError)
    if (revert instanceof ContractFunctionRevertedError) {
      // Errors another contract raises inside the call are not in the called contract's ABI.
      const decoded = revert.data ?? decodeBoccError(revert.raw)
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
