import { randomBytes } from 'node:crypto'
import type { Address, Hex } from 'viem'
import { getSolutionOffer } from '../chain/actions/catalog/getSolutionOffer.ts'
import { getLease, type Lease } from '../chain/actions/leases/getLease.ts'
import { getLeaseEndpoint } from '../chain/actions/leases/getLeaseEndpoint.ts'
import { setLeaseEndpoint } from '../chain/actions/leases/setLeaseEndpoint.ts'
import { settleUsage } from '../chain/actions/leases/settleUsage.ts'
import type { BoccChain, BoccSigner } from '../chain/boccChain.ts'
import { TransactionRevertedError } from '../chain/writeContractAndWait.ts'
import type { WrappedKey } from '../crypto/hpke.ts'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveIdentity, LeaseChunksEvent } from '../protocol/enclaveInterface.ts'
import {
  LeaseChannelError,
  type LeaseUsageRecord,
  leaseContextOf,
  leaseKeyNotReleased,
  type SealedLeaseRequest,
  solutionNotLoaded,
} from '../protocol/leaseChannel.ts'
import type { SignedLeaseUsage } from '../protocol/leaseUsage.ts'
import { type RunningServer, serveFetch } from '../storage/startBlobServer.ts'
import { type EnclaveClient, EnclaveError } from './enclaveClient.ts'
import { fetchLeaseKeyRelease } from './fetchKeyRelease.ts'
import type { ProviderLog } from './providerEvents.ts'
import type { ProviderState } from './providerState.ts'

/** The part of an enclave connection the front uses: requests, bundles, response events. */
export type LeaseEnclave = Pick<EnclaveClient, 'request' | 'putBlob' | 'listen'>

/** Where the front keeps the signed usage it has not settled yet (the daemon: its SQLite state). */
export type LeaseUsageStore = {
  record(usage: SignedLeaseUsage): void
  unsettled(): SignedLeaseUsage[]
  /** Forgets a usage settled (or refused for good), unless a later one replaced it. */
  forget(usage: SignedLeaseUsage): void
}

export type LeaseFrontParameters = {
  /**
   * The enclave serving now, or a function naming it each time (the daemon's fleet replaces lost
   * and expiring enclaves; undefined while none is live).
   */
  enclave: LeaseEnclave | (() => LeaseEnclave | undefined)
  /** Checks each lease on-chain (it exists, runs, is this provider's, for this model). */
  chain?: BoccChain
  /**
   * Fetches a solution's bundle (its pack, or its ciphertext for an encrypted model) when the
   * enclave has not loaded it yet: the bundle of the lease's own solution offer, when the front
   * checks leases on-chain (a model may be offered both plain and encrypted under one hash).
   */
  loadBundle?: (solution: { solutionHash: Hex; solutionOfferId?: number }) => Promise<Uint8Array>
  /**
   * For an encrypted model: fetches its owner's key release for a lease and the enclave serving it
   * (src/protocol/leaseKeyRelease.ts), when the enclave asks for one.
   */
  keyReleaseFor?: (lease: {
    leaseId: bigint
    solutionHash: Hex
    enclave: Address
    hpkePublicKey: Hex
  }) => Promise<WrappedKey>
  /** The most bytes of one sealed request. */
  maxRequestBytes?: number
  /** Default: in memory. */
  usage?: LeaseUsageStore
}

/** What one settlement did: usages settled in one transaction, and those the contract refused. */
export type LeaseSettlement = {
  settled: SignedLeaseUsage[]
  transaction?: Hex
  refused: { usage: SignedLeaseUsage; reason: string }[]
}

export type LeaseFront = {
  /** The web-standard handler (`fetch(request) → Response`). */
  fetch(request: Request): Promise<Response>
  /** The latest signed usage per lease and enclave not settled yet. */
  unsettled(): SignedLeaseUsage[]
  /**
   * Settles every unsettled usage in one batch. When the batch is refused, each usage is tried
   * alone, and one the contract refuses (its window is over, it settled already) is dropped and
   * reported; an RPC failure throws and keeps them all for the next time.
   */
  settle(chain: BoccSigner): Promise<LeaseSettlement>
}

const leaseCheckMs = 10_000

/** Signed usage kept in memory (a front without durable state: tests, tools). */
export function memoryLeaseUsageStore(): LeaseUsageStore {
  const pending = new Map<string, SignedLeaseUsage>()
  const keyOf = (usage: SignedLeaseUsage) => `${usage.leaseId}:${usage.enclave.toLowerCase()}`
  return {
    record(usage) {
      const known = pending.get(keyOf(usage))
      if (!known || known.requests < usage.requests) pending.set(keyOf(usage), usage)
    },
    unsettled: () => [...pending.values()],
    forget(usage) {
      if (pending.get(keyOf(usage))?.requests === usage.requests) pending.delete(keyOf(usage))
    },
  }
}

/**
 * The provider's untrusted HTTP front for leases: it forwards sealed requests to the enclave and
 * streams the sealed response chunks back (newline-delimited JSON), and keeps the enclave-signed
 * usage it sees for settlement. It holds no key that opens either: a prompt or a token is never
 * in its memory in the clear (docs/protocol.md, "Leases").
 *
 * - `GET /v1/bocc/enclave` → `{ signer, hpkePublicKey }` of the enclave serving now.
 * - `POST /v1/bocc/requests` (a sealed lease request) → `application/x-ndjson`, one
 *   `{ final, sealed }` per line as the enclave pushes them; 409 `{ error, enclave }` when it is
 *   sealed to another enclave.
 */
export function createLeaseFront(parameters: LeaseFrontParameters): LeaseFront {
  const maxRequestBytes = parameters.maxRequestBytes ?? 4 << 20
  const usageStore = parameters.usage ?? memoryLeaseUsageStore()
  type LeaseCheck = { lease?: Lease; error?: string }
  const leaseChecks = new Map<string, { at: number; lease?: Lease }>()
  const identities = new WeakMap<LeaseEnclave, Promise<EnclaveIdentity>>()
  const currentEnclave = (): LeaseEnclave => {
    const enclave =
      typeof parameters.enclave === 'function' ? parameters.enclave() : parameters.enclave
    if (!enclave) throw new EnclaveError('no enclave is live (the provider is starting a new one)')
    return enclave
  }
  // Identities are cached per connection: a replaced enclave is a new connection, asked anew.
  const identityOf = (enclave: LeaseEnclave) => {
    let identity = identities.get(enclave)
    if (!identity) {
      identity = enclave.request('identity', {})
      identities.set(enclave, identity)
      identity.catch(() => identities.delete(enclave))
    }
    return identity
  }
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    })

  /** The lease on-chain (read at most every `leaseCheckMs`) and why this request may not use it. */
  const checkLease = async (
    request: SealedLeaseRequest,
    provider: Address,
  ): Promise<LeaseCheck> => {
    const chain = parameters.chain
    if (!chain) return {}
    let known = leaseChecks.get(request.leaseId)
    if (!known || Date.now() - known.at >= leaseCheckMs) {
      const lease = await getLease(chain, { leaseId: BigInt(request.leaseId) })
      known = { at: Date.now(), ...(lease ? { lease } : {}) }
      leaseChecks.set(request.leaseId, known)
    }
    const { lease } = known
    const refuse = (error: string) => ({ ...(lease ? { lease } : {}), error })
    if (!lease) return refuse(`lease ${request.leaseId} does not exist`)
    if (lease.provider.toLowerCase() !== provider.toLowerCase())
      return refuse(`lease ${request.leaseId} is another provider’s`)
    if (lease.solutionHash !== request.solutionHash)
      return refuse(`lease ${request.leaseId} is for another solution`)
    if (String(lease.endsAt) !== request.endsAt || String(lease.maxTokens) !== request.maxTokens)
      return refuse(`the request binds other terms than lease ${request.leaseId}’s`)
    const end = lease.closedAt !== 0 ? lease.closedAt : lease.endsAt
    if (lease.finalized || lease.overClaimed || end <= Date.now() / 1000)
      return refuse(`lease ${request.leaseId} has ended`)
    return { lease }
  }

  const keyReleaseOf = async (sealed: SealedLeaseRequest, enclave: EnclaveIdentity) => {
    if (!parameters.keyReleaseFor)
      throw new Error(
        `the model is encrypted and no key release for lease ${sealed.leaseId} is at hand`,
      )
    return parameters.keyReleaseFor({
      leaseId: BigInt(sealed.leaseId),
      solutionHash: sealed.solutionHash,
      enclave: enclave.signer,
      hpkePublicKey: enclave.hpkePublicKey,
    })
  }
  const load = async (enclave: LeaseEnclave, solutionHash: Hex, lease: Lease | undefined) => {
    if (!parameters.loadBundle) throw new Error('the solution is not loaded in the enclave')
    const bytes = await parameters.loadBundle({
      solutionHash,
      ...(lease ? { solutionOfferId: lease.solutionOfferId } : {}),
    })
    const bundle = await enclave.putBlob(bytes)
    await enclave.request('loadSolution', { solutionHash, bundle })
  }

  const record = (usage: LeaseUsageRecord, lease: Lease | undefined) => {
    // Usage signed for someone else than the lease's customer never settles: not kept.
    if (lease && usage.customer.toLowerCase() !== lease.customer.toLowerCase()) return
    usageStore.record({
      leaseId: BigInt(usage.leaseId),
      customer: usage.customer,
      enclave: usage.enclave,
      tokensIn: BigInt(usage.tokensIn),
      tokensOut: BigInt(usage.tokensOut),
      requests: BigInt(usage.requests),
      signature: usage.signature,
    })
  }

  const serve = async (request: Request): Promise<Response> => {
    const length = Number(request.headers.get('content-length') ?? 0)
    if (length > maxRequestBytes) return json(413, { error: 'the sealed request is too large' })
    const bytes = new Uint8Array(await request.arrayBuffer())
    if (bytes.length > maxRequestBytes)
      return json(413, { error: 'the sealed request is too large' })
    let sealed: SealedLeaseRequest
    try {
      sealed = JSON.parse(new TextDecoder().decode(bytes))
      leaseContextOf(sealed)
    } catch (error) {
      return json(400, {
        error:
          error instanceof LeaseChannelError
            ? error.shortMessage
            : 'the body is not a sealed lease request',
      })
    }
    // One enclave for the whole request, even if the fleet replaces it meanwhile.
    const enclave = currentEnclave()
    const current = await identityOf(enclave)
    if (String(sealed?.enclave).toLowerCase() !== current.signer.toLowerCase())
      return json(409, {
        error: 'the request is sealed to another enclave',
        enclave: current.signer,
      })
    const checked = await checkLease(sealed, await providerOf())
    if (checked.error) return json(403, { error: checked.error })
    // The response's chunks come as events under this id, pushed by the enclave as each is sealed:
    // listened for before the request goes, so none is missed.
    const stream = randomBytes(16).toString('hex')
    const encoder = new TextEncoder()
    let stopListening = () => {}
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        stopListening = enclave.listen(stream, {
          event(message) {
            const update = message as unknown as LeaseChunksEvent
            if (!Array.isArray(update.chunks)) return
            controller.enqueue(
              encoder.encode(update.chunks.map((chunk) => `${JSON.stringify(chunk)}\n`).join('')),
            )
            if (update.final === true) {
              if (update.usage) record(update.usage, checked.lease)
              stopListening()
              controller.close()
            }
          },
          end: (reason) => controller.error(reason),
        })
      },
      cancel: () => stopListening(),
    })
    // The bundle (and, for an encrypted model, the owner's key release for this lease) is handed
    // over only when the enclave says it lacks it: no round trip per request.
    let solutionKeyRelease: WrappedKey | undefined
    for (let attempt = 0; ; attempt++) {
      try {
        await enclave.request('leaseRequest', {
          request: sealed,
          stream,
          ...(solutionKeyRelease ? { solutionKeyRelease } : {}),
        })
        break
      } catch (error) {
        const message = shortMessageOf(error)
        const missing = [solutionNotLoaded, leaseKeyNotReleased].find((text) =>
          message.includes(text),
        )
        const refuse = (status: number, text: string) => {
          stopListening()
          return json(status, { error: text })
        }
        if (attempt > 2 || !missing) return refuse(400, message)
        try {
          if (missing === solutionNotLoaded) await load(enclave, sealed.solutionHash, checked.lease)
          else solutionKeyRelease = await keyReleaseOf(sealed, current)
        } catch (error) {
          return refuse(503, `the model cannot be loaded: ${shortMessageOf(error)}`)
        }
      }
    }
    return new Response(body, { headers: { 'content-type': 'application/x-ndjson' } })
  }

  let provider: Address | undefined
  const providerOf = async () => {
    if (provider) return provider
    const chain = parameters.chain
    provider = (chain && 'account' in chain ? (chain as BoccSigner).account.address : undefined) as
      | Address
      | undefined
    return provider ?? ('0x' as Address)
  }

  const settleOne = async (chain: BoccSigner, usage: SignedLeaseUsage) => {
    try {
      await settleUsage(chain, { batch: [usage] })
      return undefined
    } catch (error) {
      if (!(error instanceof TransactionRevertedError)) throw error
      return shortMessageOf(error)
    }
  }

  return {
    async fetch(request) {
      const { pathname } = new URL(request.url)
      try {
        if (request.method === 'GET' && pathname === '/v1/bocc/enclave') {
          const { signer, hpkePublicKey } = await identityOf(currentEnclave())
          return json(200, { signer, hpkePublicKey })
        }
        if (request.method === 'POST' && pathname === '/v1/bocc/requests')
          return await serve(request)
        return json(404, { error: 'not found' })
      } catch (error) {
        return json(502, { error: `the enclave is unavailable: ${shortMessageOf(error)}` })
      }
    },
    unsettled: () => usageStore.unsettled(),
    async settle(chain) {
      const batch = usageStore.unsettled()
      if (batch.length === 0) return { settled: [], refused: [] }
      try {
        const { hash } = await settleUsage(chain, { batch })
        for (const usage of batch) usageStore.forget(usage)
        return { settled: batch, transaction: hash, refused: [] }
      } catch (error) {
        if (!(error instanceof TransactionRevertedError)) throw error
      }
      const result: LeaseSettlement = { settled: [], refused: [] }
      for (const usage of batch) {
        const reason = await settleOne(chain, usage)
        usageStore.forget(usage)
        if (reason) result.refused.push({ usage, reason })
        else result.settled.push(usage)
      }
      return result
    },
  }
}

/** How the daemon serves its lease front (docs/operations.md, "Leases"). */
export type LeaseFrontConfig = {
  host: string
  /** 0: any free port. */
  port: number
  /** The URL customers reach the front at, published on-chain at start; none: not published. */
  publicUrl?: string
  /** How often the collected usage is settled on-chain. */
  settleIntervalSeconds: number
}

/**
 * Serves the lease front for the daemon: requests go to the fleet's newest enclave (so a
 * replaced enclave is followed at once: clients get 409 and verify the new one), the signed usage
 * waits in the daemon's state until it settles every `settleIntervalSeconds`, and the public URL
 * is published on-chain when it changed. Settlement problems are logged, never dropped silently.
 */
export async function serveLeaseFront(parameters: {
  config: LeaseFrontConfig
  chain: BoccSigner
  /** The enclave serving now. */
  enclave: () => LeaseEnclave | undefined
  state: Pick<ProviderState, 'recordLeaseUsage' | 'unsettledLeaseUsage' | 'forgetLeaseUsage'>
  blobs: { get(hash: Hex): Promise<Uint8Array> }
  /** The owner agents asked for an encrypted model's key release for a lease (`ownerAgents`). */
  ownerAgentUrls: readonly string[]
  log: ProviderLog
}): Promise<RunningServer & { front: LeaseFront }> {
  const { config, chain, state, log } = parameters
  const front = createLeaseFront({
    enclave: parameters.enclave,
    chain,
    usage: {
      record: (usage) => state.recordLeaseUsage(usage),
      unsettled: () => state.unsettledLeaseUsage(),
      forget: (usage) => state.forgetLeaseUsage(usage),
    },
    loadBundle: async ({ solutionHash, solutionOfferId }) => {
      // The front checks every lease on-chain, so the lease's own offer is always known here.
      const offer =
        solutionOfferId === undefined
          ? undefined
          : await getSolutionOffer(chain, { offerId: solutionOfferId })
      if (!offer || offer.solutionHash !== solutionHash)
        throw new Error(`the lease’s solution offer does not sell ${solutionHash}`)
      return parameters.blobs.get(offer.bundleHash)
    },
    keyReleaseFor: ({ leaseId, solutionHash, enclave }) =>
      fetchLeaseKeyRelease({ urls: parameters.ownerAgentUrls, leaseId, solutionHash, enclave }),
  })
  const server = await serveFetch(front, { host: config.host, port: config.port })
  const publicUrl = config.publicUrl
  if (publicUrl) {
    try {
      const published = await getLeaseEndpoint(chain, { provider: chain.account.address })
      if (published !== publicUrl) {
        const { hash } = await setLeaseEndpoint(chain, { url: publicUrl })
        log({ event: 'lease-endpoint-published', url: publicUrl, transaction: hash })
      }
    } catch (error) {
      await server.close()
      throw error
    }
  }
  let settling: Promise<void> = Promise.resolve()
  const settle = () =>
    (settling = settling.then(async () => {
      try {
        const result = await front.settle(chain)
        if (result.settled.length > 0)
          log({
            event: 'lease-usage-settled',
            leaseIds: [...new Set(result.settled.map((usage) => String(usage.leaseId)))],
            ...(result.transaction ? { transaction: result.transaction } : {}),
          })
        for (const { usage, reason } of result.refused)
          log({
            event: 'warning',
            message: `lease ${usage.leaseId}: the usage of enclave ${usage.enclave} was refused: ${reason}`,
          })
      } catch (error) {
        log({ event: 'warning', message: `lease settlement: ${shortMessageOf(error)}` })
      }
    }))
  const timer = setInterval(settle, config.settleIntervalSeconds * 1000)
  timer.unref()
  return {
    ...server,
    front,
    async close() {
      clearInterval(timer)
      await server.close()
      await settle()
    },
  }
}
