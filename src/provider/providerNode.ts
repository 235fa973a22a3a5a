import { type Address, type Hex, parseEventLogs } from 'viem'
import { boccProtocolAbi } from '../chain/artifacts.ts'
import { connectSigner, type SignerConnection } from '../chain/connectChain.ts'
import { sendTransaction } from '../chain/sendTransaction.ts'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import { describeFailureReason } from '../protocol/failureReasons.ts'
import { formatOrderId, type OrderTerms } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { type EnclaveClient, startEnclave } from './enclaveClient.ts'
import { ensureStake } from './ensureStake.ts'
import { registerEnclave } from './registerEnclave.ts'
import { runOrderInEnclave } from './runOrderInEnclave.ts'

/** What the provider node reports as it works (its log: public values only). */
export type ProviderEvent =
  | { event: 'staked'; amount: string }
  | { event: 'enclave-started'; identity: EnclaveIdentity }
  | { event: 'enclave-registered'; enclave: Address; evidenceHash: Hex; transaction: Hex }
  | { event: 'offer-created'; offerId: number; price: string }
  | { event: 'ready' }
  | { event: 'orders-accepted'; orderIds: string[] }
  | { event: 'order-executed'; orderId: string; outputHash: Hex }
  | { event: 'receipts-accepted'; orderIds: string[] }
  | { event: 'order-failed'; orderId: string; error: string }
  | { event: 'failure-submitted'; orderId: string; reason: string; code: number }
  | { event: 'withdrawn'; amount: string }
  | { event: 'warning'; message: string }

export type ProviderNodeParameters = {
  rpcUrl: string
  protocol: Address
  privateKey: Hex
  blobs: BlobStore
  tee: string
  /** Verifier services of the committee, asked to approve the enclave. */
  committeeUrls: string[]
  /** Price per order, in the payment token's smallest unit. */
  price: bigint
  /** Orders run at once on this offer. */
  capacity?: number
  onEvent(event: ProviderEvent): void
  pollIntervalMs?: number
  /** Aborting while the node starts stops its enclave runtime. */
  signal?: AbortSignal
}

export type ProviderNode = { offerId: number; enclave: EnclaveIdentity; stop(): Promise<void> }

type PendingOrder = { orderId: bigint; terms: OrderTerms }

/**
 * Runs a provider: stakes, starts its enclave runtime, has the committee approve and registers the
 * enclave, offers it, then accepts every order placed on the offer (in batches), runs it in the
 * enclave and submits the enclave's receipts (in batches). The node only ever holds ciphertext,
 * evidence and signatures.
 */
export async function startProviderNode(parameters: ProviderNodeParameters): Promise<ProviderNode> {
  const { onEvent, blobs, protocol } = parameters
  const connection = await connectSigner(parameters.rpcUrl, parameters.privateKey)
  const staked = await ensureStake(connection, protocol)
  if (staked > 0n) onEvent({ event: 'staked', amount: staked.toString() })
  const enclave = await startEnclave({
    tee: parameters.tee,
    ...(parameters.signal ? { signal: parameters.signal } : {}),
  })
  try {
    const identity = await enclave.request('identity', {})
    onEvent({ event: 'enclave-started', identity })
    const registered = await registerEnclave({
      connection,
      protocol,
      enclave,
      identity,
      blobs,
      committeeUrls: parameters.committeeUrls,
    })
    onEvent({
      event: 'enclave-registered',
      enclave: identity.signer,
      evidenceHash: registered.registration.evidenceHash,
      transaction: registered.transaction,
    })

    const offer = await sendTransaction(connection, {
      address: protocol,
      abi: boccProtocolAbi,
      functionName: 'createTeeOffer',
      args: [registered.registration.hardware, parameters.price, parameters.capacity ?? 8],
    })
    const [created] = parseEventLogs({
      abi: boccProtocolAbi,
      eventName: 'TeeOfferCreated',
      logs: offer.receipt.logs,
    })
    if (!created) throw new Error('unreachable: createTeeOffer emits TeeOfferCreated')
    const offerId = created.args.offerId
    onEvent({ event: 'offer-created', offerId, price: parameters.price.toString() })

    const watcher = watchOrders({
      connection,
      protocol,
      offerId,
      fromBlock: offer.receipt.blockNumber,
      enclave,
      identity,
      blobs,
      onEvent,
      pollIntervalMs: parameters.pollIntervalMs ?? 250,
    })
    onEvent({ event: 'ready' })
    return {
      offerId,
      enclave: identity,
      async stop() {
        await watcher.stop()
        await enclave.stop()
      },
    }
  } catch (error) {
    await enclave.stop()
    throw error
  }
}

function watchOrders(parameters: {
  connection: SignerConnection
  protocol: Address
  offerId: number
  fromBlock: bigint
  enclave: EnclaveClient
  identity: EnclaveIdentity
  blobs: BlobStore
  onEvent(event: ProviderEvent): void
  pollIntervalMs: number
}) {
  const { connection, protocol, onEvent } = parameters
  const client = connection.publicClient
  let running = true
  let nextBlock = parameters.fromBlock
  const seen = new Set<bigint>()

  const poll = async () => {
    while (running) {
      try {
        const head = await client.getBlockNumber()
        if (head >= nextBlock) {
          const logs = await client.getContractEvents({
            address: protocol,
            abi: boccProtocolAbi,
            eventName: 'OrderCreated',
            args: { teeOfferId: parameters.offerId },
            // Look again at the last few blocks: a node may report a block before its logs are
            // queryable, and an order missed once would never be served.
            fromBlock:
              nextBlock > parameters.fromBlock + 4n ? nextBlock - 4n : parameters.fromBlock,
            toBlock: head,
          })
          const fresh = logs
            .map((log) => ({
              orderId: log.args.orderId as bigint,
              terms: log.args.terms as OrderTerms,
            }))
            .filter((order) => !seen.has(order.orderId))
          for (const order of fresh) seen.add(order.orderId)
          if (fresh.length > 0) await handleOrders(fresh)
          nextBlock = head + 1n
        }
      } catch (error) {
        // The RPC may drop; keep the position and try again.
        onEvent({ event: 'warning', message: shortMessageOf(error) })
      }
      await new Promise((resolve) => setTimeout(resolve, parameters.pollIntervalMs))
    }
  }

  async function handleOrders(orders: PendingOrder[]) {
    const mine = orders.filter(
      (order) => order.terms.enclave.toLowerCase() === parameters.identity.signer.toLowerCase(),
    )
    if (mine.length === 0) return
    const accepted = await batchOrOneByOne(
      mine,
      (batch) =>
        sendTransaction(connection, {
          address: protocol,
          abi: boccProtocolAbi,
          functionName: 'acceptOrders',
          args: [batch.map((order) => order.terms)],
        }),
      (order) =>
        sendTransaction(connection, {
          address: protocol,
          abi: boccProtocolAbi,
          functionName: 'acceptOrder',
          args: [order.terms],
        }),
    )
    if (accepted.length > 0)
      onEvent({
        event: 'orders-accepted',
        orderIds: accepted.map((order) => formatOrderId(order.orderId)),
      })

    const receipts: { orderId: bigint; terms: OrderTerms; outputHash: Hex; signature: Hex }[] = []
    for (const order of accepted) {
      try {
        const result = await executeOrder(order)
        if ('failure' in result) await submitFailure(order, result)
        else receipts.push({ ...order, ...result })
      } catch (error) {
        onEvent({
          event: 'order-failed',
          orderId: formatOrderId(order.orderId),
          error: shortMessageOf(error),
        })
      }
    }
    const completed = await batchOrOneByOne(
      receipts,
      (batch) =>
        sendTransaction(connection, {
          address: protocol,
          abi: boccProtocolAbi,
          functionName: 'submitReceipts',
          args: [batch],
        }),
      (receipt) =>
        sendTransaction(connection, {
          address: protocol,
          abi: boccProtocolAbi,
          functionName: 'submitReceipt',
          args: [receipt.terms, receipt.outputHash, receipt.signature],
        }),
    )
    if (completed.length === 0) return
    onEvent({
      event: 'receipts-accepted',
      orderIds: completed.map((receipt) => formatOrderId(receipt.orderId)),
    })
    const balance = await client.readContract({
      address: protocol,
      abi: boccProtocolAbi,
      functionName: 'balanceOf',
      args: [connection.account.address],
    })
    if (balance > 0n) {
      await sendTransaction(connection, {
        address: protocol,
        abi: boccProtocolAbi,
        functionName: 'withdraw',
        args: [balance],
      })
      onEvent({ event: 'withdrawn', amount: balance.toString() })
    }
  }

  async function executeOrder({ orderId, terms }: PendingOrder) {
    const result = await runOrderInEnclave({
      enclave: parameters.enclave,
      chainId: connection.chain.id,
      protocol,
      orderId,
      terms,
      blobs: parameters.blobs,
    })
    if ('failure' in result) return result
    const outputHash = await parameters.blobs.put(result.output)
    onEvent({ event: 'order-executed', orderId: formatOrderId(orderId), outputHash })
    return { outputHash: result.outputHash, signature: result.signature }
  }

  /** The enclave could not use the order's input: its signed failure refunds the customer. */
  async function submitFailure(
    { orderId, terms }: PendingOrder,
    result: { failure: number; reason: number; message: string; signature: Hex },
  ) {
    await sendTransaction(connection, {
      address: protocol,
      abi: boccProtocolAbi,
      functionName: 'submitFailure',
      args: [terms, result.failure, result.signature],
    })
    // The enclave's full reason code and its one line (a limit or cause, nothing of the input).
    onEvent({
      event: 'failure-submitted',
      orderId: formatOrderId(orderId),
      reason: `${describeFailureReason(result.reason)} (${result.message})`,
      code: result.reason,
    })
  }

  /**
   * Sends one transaction for the whole batch; if the chain refuses it (one order may have
   * expired meanwhile), sends each item alone so the others still go through.
   */
  async function batchOrOneByOne<item extends { orderId: bigint }>(
    items: item[],
    sendBatch: (batch: item[]) => Promise<unknown>,
    sendOne: (single: item) => Promise<unknown>,
  ): Promise<item[]> {
    if (items.length === 0) return []
    try {
      await sendBatch(items)
      return items
    } catch (error) {
      if (items.length === 1) {
        onEvent({
          event: 'order-failed',
          orderId: items[0] ? formatOrderId(items[0].orderId) : '',
          error: shortMessageOf(error),
        })
        return []
      }
    }
    const done: item[] = []
    for (const single of items) {
      try {
        await sendOne(single)
        done.push(single)
      } catch (error) {
        onEvent({
          event: 'order-failed',
          orderId: formatOrderId(single.orderId),
          error: shortMessageOf(error),
        })
      }
    }
    return done
  }

  const polling = poll()
  return {
    async stop() {
      running = false
      await polling
    },
  }
}
