import type { Hex } from 'viem'
import { createTeeOffer } from '../chain/actions/market/createTeeOffer.ts'
import { connectBoccSigner } from '../chain/boccChain.ts'
import type { Deployment } from '../chain/deployment.ts'
import { hardwareOf } from '../protocol/enclaveApproval.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { startEnclave } from './enclaveClient.ts'
import { ensureStake } from './ensureStake.ts'
import { startOrderPipeline } from './orderPipeline.ts'
import type { ProviderEvent } from './providerEvents.ts'
import { registerEnclave } from './registerEnclave.ts'

export type { ProviderEvent } from './providerEvents.ts'

export type ProviderNodeParameters = {
  deployment: Deployment
  privateKey: Hex
  blobs: BlobStore
  tee: string
  /** Verifier services of the committee, asked to approve the enclave. */
  committeeUrls: string[]
  /** Price per order, in the payment token's smallest unit. */
  price: bigint
  /** Orders run at once on this offer. */
  capacity?: number
  /** Stake to hold (at least the market's minimum). */
  stake?: bigint
  onEvent(event: ProviderEvent): void
  pollIntervalMs?: number
  /** Aborting while the node starts stops its enclave runtime. */
  signal?: AbortSignal
}

export type ProviderNode = { offerId: number; enclave: EnclaveIdentity; stop(): Promise<void> }

/**
 * Runs a provider: stakes, starts its enclave runtime, has the committee approve and registers the
 * enclave, offers the machine, then serves every order placed on the offer for its enclave. The
 * node only ever holds ciphertext, evidence and signatures.
 */
export async function startProviderNode(parameters: ProviderNodeParameters): Promise<ProviderNode> {
  const { onEvent, blobs } = parameters
  const chain = await connectBoccSigner(parameters.deployment, parameters.privateKey)
  const staked = await ensureStake(chain, parameters.stake)
  if (staked > 0n) onEvent({ event: 'staked', amount: staked.toString() })
  const enclave = await startEnclave({
    tee: parameters.tee,
    ...(parameters.signal ? { signal: parameters.signal } : {}),
  })
  try {
    const identity = await enclave.request('identity', {})
    onEvent({ event: 'enclave-started', identity })
    const registered = await registerEnclave({
      chain,
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
    const capacity = parameters.capacity ?? 8
    const offer = await createTeeOffer(chain, {
      hardware: hardwareOf(identity.tee),
      price: parameters.price,
      capacity,
    })
    onEvent({ event: 'offer-created', offerId: offer.offerId, price: parameters.price.toString() })
    const pipeline = startOrderPipeline({
      chain,
      offerId: offer.offerId,
      capacity,
      fromBlock: offer.blockNumber,
      enclave,
      identity,
      blobs,
      onEvent,
      pollIntervalMs: parameters.pollIntervalMs ?? 250,
    })
    onEvent({ event: 'ready' })
    return {
      offerId: offer.offerId,
      enclave: identity,
      async stop() {
        await pipeline.stop()
        await enclave.stop()
      },
    }
  } catch (error) {
    await enclave.stop()
    throw error
  }
}
