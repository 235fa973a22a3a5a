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
  TransactionReceiptNotFoundError,
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

export class TransactionDroppedError extends BoccError {
  override name = 'TransactionDroppedError'
  constructor(hash: Hash, seconds: number) {
    super(
      `transaction ${hash} is no longer known to the node (dropped, or lost in a restart) after ${seconds} s; the call did not happen and may be sent again`,
    )
  }
}

export class TransactionNotConfirmedError extends BoccError {
  override name = 'TransactionNotConfirmedError'
  constructor(hash: Hash, seconds: number) {
    super(`transaction ${hash} was not mined within ${seconds} s; check the RPC and the fees`)
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
  let receipt: TransactionReceipt
  try {
    receipt = await waitUntilMined(connection, hash)
  } catch (error) {
    // A transaction that never lands (a node restarted without it) would leave a nonce gap that
    // holds every later one back: count nonces from the chain again.
    connection.account.nonceManager?.reset({
      address: connection.account.address,
      chainId: connection.chain.id,
    })
    throw error
  }
  if (receipt.status !== 'success')
    throw new TransactionRevertedError(parameters.functionName, undefined, [])
  return { hash, receipt }
}

/** How long a sent transaction may be unknown to the node before it counts as dropped. */
const droppedAfterMs = 15_000
/** How long a known transaction may stay unmined (viem's default wait). */
const minedWithinMs = 180_000

/**
 * Polls for the receipt, riding out RPC errors (the transaction is sent: asking again is safe),
 * and gives up early when the node no longer knows the transaction at all.
 */
async function waitUntilMined(
  connection: SignerConnection,
  hash: Hash,
): Promise<TransactionReceipt> {
  const { publicClient } = connection
  const started = Date.now()
  let unknownSince: number | undefined
  for (;;) {
    const receipt = await publicClient.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (!(error instanceof TransactionReceiptNotFoundError)) return 'unreachable' as const
      return undefined
    })
    if (receipt && receipt !== 'unreachable') return receipt
    const now = Date.now()
    if (receipt === undefined) {
      const known = await publicClient.getTransaction({ hash }).then(
        () => true,
        (error: unknown) =>
          (error as Error).name === 'TransactionNotFoundError' ? false : undefined,
      )
      if (known === false) {
        unknownSince ??= now
        if (now - unknownSince >= droppedAfterMs)
          throw new TransactionDroppedError(hash, Math.round((now - started) / 1000))
      } else if (known) unknownSince = undefined
    }
    if (now - started >= minedWithinMs)
      throw new TransactionNotConfirmedError(hash, Math.round((now - started) / 1000))
    await new Promise((resolve) => setTimeout(resolve, publicClient.pollingInterval))
  }
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
