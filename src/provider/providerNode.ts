import { type Address, type Hex, parseEventLogs } from 'viem'
import { boccMarketAbi } from '../chain/artifacts.ts'
import { connectSigner } from '../chain/connectChain.ts'
import { sendTransaction } from '../chain/sendTransaction.ts'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { startEnclave } from './enclaveClient.ts'
import { registerEnclave } from './registerEnclave.ts'

/** What the provider node reports as it works (its log: public values only). */
export type ProviderEvent =
  | { event: 'enclave-started'; identity: EnclaveIdentity }
  | { event: 'enclave-registered'; enclave: Address; evidenceHash: Hex; transaction: Hex }
  | { event: 'offer-created'; offerId: string; price: string }
  | { event: 'ready' }
  | { event: 'order-received'; orderId: string }
  | { event: 'order-executed'; orderId: string; outputHash: Hex }
  | { event: 'receipt-accepted'; orderId: string; transaction: Hex }
  | { event: 'order-failed'; orderId: string; error: string }
  | { event: 'withdrawn'; amount: string }
  | { event: 'warning'; message: string }

export type ProviderNodeParameters = {
  rpcUrl: string
  market: Address
  privateKey: Hex
  blobs: BlobStore
  tee: string
  /** Price per order, in the payment token's smallest unit. */
  price: bigint
  onEvent(event: ProviderEvent): void
  pollIntervalMs?: number
  /** Aborting while the node starts stops its enclave runtime. */
  signal?: AbortSignal
}

export type ProviderNode = { offerId: bigint; enclave: EnclaveIdentity; stop(): Promise<void> }

/**
 * Runs a provider: starts its enclave runtime, registers the enclave with its evidence, offers
 * it, then executes every order placed on the offer and submits the enclave's receipts.
 * The node only ever holds ciphertext, evidence and signatures.
 */
export async function startProviderNode(parameters: ProviderNodeParameters): Promise<ProviderNode> {
  const { onEvent, blobs, market } = parameters
  const connection = await connectSigner(parameters.rpcUrl, parameters.privateKey)
  const enclave = await startEnclave({
    tee: parameters.tee,
    ...(parameters.signal ? { signal: parameters.signal } : {}),
  })
  try {
    const identity = await enclave.request('identity', {})
    onEvent({ event: 'enclave-started', identity })

    const registration = await registerEnclave({ connection, market, enclave, identity, blobs })
    onEvent({
      event: 'enclave-registered',
      enclave: identity.signer,
      evidenceHash: registration.evidenceHash,
      transaction: registration.transaction,
    })

    const offer = await sendTransaction(connection, {
      address: market,
      abi: boccMarketAbi,
      functionName: 'createOffer',
      args: [parameters.price],
    })
    const [created] = parseEventLogs({
      abi: boccMarketAbi,
      eventName: 'OfferCreated',
      logs: offer.receipt.logs,
    })
    if (!created) throw new Error('unreachable: createOffer emits OfferCreated')
    const offerId = created.args.offerId
    onEvent({
      event: 'offer-created',
      offerId: offerId.toString(),
      price: parameters.price.toString(),
    })

    let running = true
    let nextBlock = offer.receipt.blockNumber
    const handled = new Set<bigint>()
    const poll = async () => {
      while (running) {
        try {
          const head = await connection.publicClient.getBlockNumber()
          if (head >= nextBlock) {
            const logs = await connection.publicClient.getContractEvents({
              address: market,
              abi: boccMarketAbi,
              eventName: 'OrderCreated',
              args: { offerId },
              fromBlock: nextBlock,
              toBlock: head,
            })
            for (const log of logs) {
              const orderId = log.args.orderId as bigint
              if (handled.has(orderId)) continue
              handled.add(orderId)
              await executeOrder(orderId, log.args as OrderCreatedArgs)
            }
            nextBlock = head + 1n
          }
        } catch (error) {
          // The RPC may drop; keep the position and try again.
          onEvent({ event: 'warning', message: shortMessageOf(error) })
        }
        await new Promise((resolve) => setTimeout(resolve, parameters.pollIntervalMs ?? 250))
      }
    }

    type OrderCreatedArgs = { requestHash: Hex; inputHash: Hex; solutionHash: Hex }
    async function executeOrder(orderId: bigint, args: OrderCreatedArgs) {
      onEvent({ event: 'order-received', orderId: orderId.toString() })
      try {
        const [request, inputCiphertext] = await Promise.all([
          blobs.get(args.requestHash),
          blobs.get(args.inputHash),
        ])
        const result = await enclave.request('runOrder', {
          order: {
            chainId: connection.chain.id,
            market,
            orderId: orderId.toString(),
            requestHash: args.requestHash,
            inputHash: args.inputHash,
            solutionHash: args.solutionHash,
          },
          request: `0x${Buffer.from(request).toString('hex')}`,
          inputCiphertext: Buffer.from(inputCiphertext).toString('base64'),
        })
        const outputHash = await blobs.put(new Uint8Array(Buffer.from(result.output, 'base64')))
        onEvent({ event: 'order-executed', orderId: orderId.toString(), outputHash })
        const submitted = await sendTransaction(connection, {
          address: market,
          abi: boccMarketAbi,
          functionName: 'submitReceipt',
          args: [orderId, result.outputHash, result.signature],
        })
        onEvent({
          event: 'receipt-accepted',
          orderId: orderId.toString(),
          transaction: submitted.hash,
        })
        const amount = await connection.publicClient.readContract({
          address: market,
          abi: boccMarketAbi,
          functionName: 'withdrawable',
          args: [connection.account.address],
        })
        if (amount > 0n) {
          await sendTransaction(connection, {
            address: market,
            abi: boccMarketAbi,
            functionName: 'withdraw',
            args: [],
          })
          onEvent({ event: 'withdrawn', amount: amount.toString() })
        }
      } catch (error) {
        onEvent({
          event: 'order-failed',
          orderId: orderId.toString(),
          error: shortMessageOf(error),
        })
      }
    }

    const polling = poll()
    onEvent({ event: 'ready' })
    return {
      offerId,
      enclave: identity,
      async stop() {
        running = false
        await polling
        await enclave.stop()
      },
    }
  } catch (error) {
    await enclave.stop()
    throw error
  }
}
