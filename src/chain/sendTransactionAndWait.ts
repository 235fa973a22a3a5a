import {
  BaseError,
  type Hash,
  type Hex,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from 'viem'
import { BoccError } from '../errors.ts'
import type { SignerConnection } from './connectChain.ts'

export class TransactionReplacedError extends BoccError {
  override name = 'TransactionReplacedError'
  constructor(nonce: number, hashes: readonly Hash[]) {
    super(
      `nonce ${nonce} was used by another transaction of this account (not ${hashes.join(' or ')}); the call did not happen`,
    )
  }
}

export class TransactionNotMinedError extends BoccError {
  override name = 'TransactionNotMinedError'
  constructor(nonce: number, attempts: number, seconds: number) {
    super(
      `the transaction with nonce ${nonce} was not mined after ${attempts} attempts in ${seconds} s; raise the fees or check the RPC`,
    )
  }
}

export type TransactionSending = {
  /** Blocks the receipt must be under (itself included) before it counts (default 1). */
  confirmations?: number
  /** How long a transaction may stay unmined before it is sent again with higher fees (default 60 s). */
  resendAfterMs?: number
  /** Times it is sent at most, the first included (default 6). */
  maxAttempts?: number
  /** Told each time a transaction is sent. */
  onSent?(sent: { hash: Hash; nonce: number; attempt: number }): void
}

export type SendTransactionAndWaitParameters = TransactionSending & {
  to?: `0x${string}`
  data: Hex
  value?: bigint
}

/**
 * Sends one transaction and waits until it is mined under `confirmations` blocks, as a real
 * network needs: EIP-1559 fees from the node's own estimate (legacy gas price where the chain has
 * no base fee), a fixed nonce, and when the transaction is dropped or stuck, the same nonce sent
 * again with fees raised past the nodes' replacement rule. A receipt that a reorganisation removes
 * is waited for again. A nonce that another transaction used is reported, never taken for success.
 */
export async function sendTransactionAndWait(
  connection: SignerConnection,
  parameters: SendTransactionAndWaitParameters,
): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  const { publicClient, account } = connection
  const confirmations = Math.max(1, parameters.confirmations ?? 1)
  const resendAfterMs = parameters.resendAfterMs ?? 60_000
  const maxAttempts = parameters.maxAttempts ?? 6
  const pollMs = publicClient.pollingInterval
  const call = {
    account,
    ...(parameters.to ? { to: parameters.to } : {}),
    data: parameters.data,
    value: parameters.value ?? 0n,
  }
  const nonce = await publicClient.getTransactionCount({
    address: account.address,
    blockTag: 'pending',
  })
  const gas = await publicClient.estimateGas(call)
  let fees = await currentFees(connection)
  const sent: Hash[] = []
  const started = Date.now()
  let attempts = 0
  let lastAttempt = 0
  /** When the nonce was first seen spent with none of our receipts found. */
  let spentSince: number | undefined
  const receiptLagMs = Math.max(20 * pollMs, 3_000)
  for (;;) {
    if (attempts === 0 || Date.now() - lastAttempt >= resendAfterMs) {
      if (attempts >= maxAttempts)
        throw new TransactionNotMinedError(
          nonce,
          attempts,
          Math.round((Date.now() - started) / 1000),
        )
      if (attempts > 0) fees = bumpFees(fees, await currentFees(connection))
      attempts += 1
      lastAttempt = Date.now()
      const hash = await sendSigned(connection, { ...call, gas, nonce, ...fees })
      if (hash) {
        sent.push(hash)
        parameters.onSent?.({ hash, nonce, attempt: attempts })
      }
    }
    const receipt = await firstReceipt(connection, sent)
    if (receipt) {
      const confirmed = await waitForConfirmations(connection, receipt, confirmations, pollMs)
      if (confirmed) return { hash: confirmed.transactionHash, receipt: confirmed }
      continue
    }
    const mined = await publicClient.getTransactionCount({
      address: account.address,
      blockTag: 'latest',
    })
    if (mined > nonce) {
      // The nonce is spent: by one of ours, whose receipt may lag the count (anvil tracing every
      // step stores a large block's receipts well after its state), or by another.
      spentSince ??= Date.now()
      if (Date.now() - spentSince >= receiptLagMs) {
        const late = await firstReceipt(connection, sent)
        if (!late) throw new TransactionReplacedError(nonce, sent)
        continue
      }
    }
    await sleep(pollMs)
  }
}

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint }

async function currentFees(connection: SignerConnection): Promise<Fees> {
  const block = await connection.publicClient.getBlock({ blockTag: 'latest' })
  if (block.baseFeePerGas === null || block.baseFeePerGas === undefined)
    return { gasPrice: await connection.publicClient.getGasPrice() }
  const estimate = await connection.publicClient.estimateFeesPerGas({ type: 'eip1559' })
  return {
    maxFeePerGas: estimate.maxFeePerGas,
    maxPriorityFeePerGas: estimate.maxPriorityFeePerGas,
  }
}

/** Nodes replace a pending transaction only for at least 10 % more on every fee; take 12.5 %. */
function bumpFees(previous: Fees, current: Fees): Fees {
  const bump = (value: bigint) => (value * 1125n) / 1000n + 1n
  const max = (a: bigint, b: bigint) => (a > b ? a : b)
  if ('gasPrice' in previous)
    return { gasPrice: max(bump(previous.gasPrice), 'gasPrice' in current ? current.gasPrice : 0n) }
  const now = 'gasPrice' in current ? undefined : current
  return {
    maxFeePerGas: max(bump(previous.maxFeePerGas), now?.maxFeePerGas ?? 0n),
    maxPriorityFeePerGas: max(bump(previous.maxPriorityFeePerGas), now?.maxPriorityFeePerGas ?? 0n),
  }
}

/**
 * Signs locally and sends; answers undefined when the node says the nonce is already used (one
 * of our earlier sends was mined meanwhile, which the caller then finds) or that the pending one
 * pays more (the next attempt raises the fees again).
 */
async function sendSigned(
  connection: SignerConnection,
  request: Record<string, unknown>,
): Promise<Hash | undefined> {
  try {
    return await connection.walletClient.sendTransaction(
      request as Parameters<typeof connection.walletClient.sendTransaction>[0],
    )
  } catch (error) {
    const message = error instanceof BaseError ? error.details + error.shortMessage : String(error)
    if (/nonce too low|already known|nonce.*(used|lower)|underpriced/i.test(message))
      return undefined
    throw new BoccError(
      `sending the transaction failed: ${error instanceof BaseError ? error.shortMessage : message}`,
      { cause: error },
    )
  }
}

async function firstReceipt(
  connection: SignerConnection,
  hashes: readonly Hash[],
): Promise<TransactionReceipt | undefined> {
  for (const hash of hashes) {
    try {
      return await connection.publicClient.getTransactionReceipt({ hash })
    } catch (error) {
      if (!(error instanceof TransactionReceiptNotFoundError)) throw error
    }
  }
  return undefined
}

/**
 * Waits until the receipt's block is `confirmations` deep; answers the receipt as the chain then
 * has it, or undefined when a reorganisation took the transaction out of its block.
 */
async function waitForConfirmations(
  connection: SignerConnection,
  receipt: TransactionReceipt,
  confirmations: number,
  pollMs: number,
): Promise<TransactionReceipt | undefined> {
  for (;;) {
    const head = await connection.publicClient.getBlockNumber({ cacheTime: 0 })
    if (head - receipt.blockNumber + 1n >= BigInt(confirmations)) break
    await sleep(pollMs)
  }
  const again = await firstReceipt(connection, [receipt.transactionHash])
  return again?.blockHash === receipt.blockHash ? again : undefined
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
