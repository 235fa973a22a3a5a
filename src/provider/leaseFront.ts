import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { listCatalogOffers } from '../chain/actions/catalog/listCatalogOffers.ts'
import { getLease } from '../chain/actions/leases/getLease.ts'
import { settleUsage } from '../chain/actions/leases/settleUsage.ts'
import type { BoccChain, BoccSigner } from '../chain/boccChain.ts'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { LeaseUsageRecord, SealedLeaseRequest } from '../protocol/leaseChannel.ts'
import type { SignedLeaseUsage } from '../protocol/leaseUsage.ts'
import { type RunningServer, serveFetch } from '../storage/startBlobServer.ts'
import { type EnclaveClient, EnclaveError } from './enclaveClient.ts'
import { connectEnclaveHost } from './enclaveHostClient.ts'

/** The part of an enclave connection the front uses: requests, and handing over bundles. */
export type LeaseEnclave = Pick<EnclaveClient, 'request' | 'putBlob'>

export type LeaseFrontParameters = {
  enclave: LeaseEnclave
  /** Checks each lease on-chain (it exists, runs, is this provider's, for this model). */
  chain?: BoccChain
  /** Fetches a solution's bundle (its pack) when the enclave has not loaded it yet. */
  loadBundle?: (solutionHash: Hex) => Promise<Uint8Array>
  /** The most bytes of one sealed request. */
  maxRequestBytes?: number
}

export type LeaseFront = {
  /** The web-standard handler (`fetch(request) → Response`). */
  fetch(request: Request): Promise<Response>
  /** The latest signed usage per lease and enclave not settled yet. */
  unsettled(): SignedLeaseUsage[]
  /** Settles every unsettled usage in one batch; resolves to how many it settled. */
  settle(chain: BoccSigner): Promise<number>
}

const leaseCheckMs = 10_000

/**
 * The provider's untrusted HTTP front for leases: it forwards sealed requests to the enclave and
 * streams the sealed response chunks back (newline-delimited JSON), and keeps the enclave-signed
 * usage it sees for settlement. It holds no key that opens either: a prompt or a token is never
 * in its memory in the clear (docs/protocol.md, "Leases").
 *
 * - `GET /v1/bocc/enclave` → `{ signer, hpkePublicKey }` of the enclave serving now.
 * - `POST /v1/bocc/requests` (a sealed lease request) → `application/x-ndjson`, one
 *   `{ final, sealed }` per line; 409 `{ error, enclave }` when it is sealed to another enclave.
 */
export function createLeaseFront(parameters: LeaseFrontParameters): LeaseFront {
  const maxRequestBytes = parameters.maxRequestBytes ?? 4 << 20
  const pending = new Map<string, SignedLeaseUsage>()
  const leaseChecks = new Map<string, { at: number; error?: string }>()
  let identity: Promise<EnclaveIdentity> | undefined
  const identityOf = () => {
    identity ??= parameters.enclave.request('identity', {})
    identity.catch(() => {
      identity = undefined
    })
    return identity
  }
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    })

  const checkLease = async (request: SealedLeaseRequest, provider: Address) => {
    const chain = parameters.chain
    if (!chain) return undefined
    const key = `${request.leaseId}:${request.solutionHash}`
    const known = leaseChecks.get(key)
    if (known && Date.now() - known.at < leaseCheckMs) return known.error
    let error: string | undefined
    const lease = await getLease(chain, { leaseId: BigInt(request.leaseId) })
    const now = Date.now() / 1000
    if (!lease) error = `lease ${request.leaseId} does not exist`
    else if (lease.provider.toLowerCase() !== provider.toLowerCase())
      error = `lease ${request.leaseId} is another provider’s`
    else if (lease.solutionHash !== request.solutionHash)
      error = `lease ${request.leaseId} is for another solution`
    else if (lease.finalized || (lease.closedAt !== 0 ? lease.closedAt : lease.endsAt) <= now)
      error = `lease ${request.leaseId} has ended`
    leaseChecks.set(key, { at: Date.now(), ...(error ? { error } : {}) })
    return error
  }

  const ensureLoaded = async (solutionHash: Hex) => {
    const { loaded } = await parameters.enclave.request('loadSolution', { solutionHash })
    if (loaded) return
    if (!parameters.loadBundle) throw new Error('the solution is not loaded in the enclave')
    const bundle = await parameters.enclave.putBlob(await parameters.loadBundle(solutionHash))
    await parameters.enclave.request('loadSolution', { solutionHash, bundle })
  }

  const record = (usage: LeaseUsageRecord) => {
    const key = `${usage.leaseId}:${usage.enclave}`
    const next: SignedLeaseUsage = {
      leaseId: BigInt(usage.leaseId),
      customer: usage.customer,
      enclave: usage.enclave,
      tokensIn: BigInt(usage.tokensIn),
      tokensOut: BigInt(usage.tokensOut),
      requests: BigInt(usage.requests),
      signature: usage.signature,
    }
    const known = pending.get(key)
    if (!known || known.requests < next.requests) pending.set(key, next)
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
    } catch {
      return json(400, { error: 'the body is not a sealed lease request' })
    }
    const current = await identityOf()
    if (String(sealed?.enclave).toLowerCase() !== current.signer.toLowerCase())
      return json(409, {
        error: 'the request is sealed to another enclave',
        enclave: current.signer,
      })
    const refused = await checkLease(sealed, await providerOf())
    if (refused) return json(403, { error: refused })
    try {
      await ensureLoaded(sealed.solutionHash)
    } catch (error) {
      return json(503, { error: `the model cannot be loaded: ${shortMessageOf(error)}` })
    }
    let stream: string
    try {
      ;({ stream } = await parameters.enclave.request('leaseRequest', { request: sealed }))
    } catch (error) {
      return json(400, { error: shortMessageOf(error) })
    }
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const read = await parameters.enclave.request('leaseRead', { stream })
          if (read.chunks.length > 0)
            controller.enqueue(
              encoder.encode(read.chunks.map((chunk) => `${JSON.stringify(chunk)}\n`).join('')),
            )
          if (read.final) {
            if (read.usage) record(read.usage)
            controller.close()
          }
        } catch (error) {
          controller.error(error)
        }
      },
    })
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

  return {
    async fetch(request) {
      const { pathname } = new URL(request.url)
      try {
        if (request.method === 'GET' && pathname === '/v1/bocc/enclave') {
          const { signer, hpkePublicKey } = await identityOf()
          return json(200, { signer, hpkePublicKey })
        }
        if (request.method === 'POST' && pathname === '/v1/bocc/requests')
          return await serve(request)
        return json(404, { error: 'not found' })
      } catch (error) {
        return json(502, { error: `the enclave is unavailable: ${shortMessageOf(error)}` })
      }
    },
    unsettled: () => [...pending.values()],
    async settle(chain) {
      const batch = [...pending.entries()]
      if (batch.length === 0) return 0
      await settleUsage(chain, { batch: batch.map(([, usage]) => usage) })
      for (const [key, usage] of batch) if (pending.get(key) === usage) pending.delete(key)
      return batch.length
    },
  }
}

/**
 * Serves the lease front on 127.0.0.1 for the provider's enclave `signer`, reached through its
 * enclave host's socket under `stateDirectory/enclaves/` (where the daemon starts them), and
 * settles the usage it collected every `settleEveryMs` with the provider's key.
 */
export async function serveLeaseFront(parameters: {
  stateDirectory: string
  signer: Address
  provider: BoccSigner
  blobs: { get(hash: Hex): Promise<Uint8Array> }
  port?: number
  settleEveryMs?: number
}): Promise<RunningServer & { front: LeaseFront }> {
  const enclave = await connectToEnclave(parameters.stateDirectory, parameters.signer)
  const front = createLeaseFront({
    enclave,
    chain: parameters.provider,
    loadBundle: async (solutionHash) => {
      const offers = await listCatalogOffers(parameters.provider)
      const offer = offers.solutions.find((item) => item.solutionHash === solutionHash)
      if (!offer) throw new Error(`no solution offer sells ${solutionHash}`)
      return parameters.blobs.get(offer.bundleHash)
    },
  })
  const server = await serveFetch(front, {
    host: '127.0.0.1',
    ...(parameters.port === undefined ? {} : { port: parameters.port }),
  })
  const timer = setInterval(
    () => void front.settle(parameters.provider).catch(() => undefined),
    parameters.settleEveryMs ?? 30_000,
  )
  timer.unref()
  return {
    ...server,
    front,
    async close() {
      clearInterval(timer)
      await front.settle(parameters.provider).catch(() => undefined)
      enclave.disconnect()
      await server.close()
    },
  }
}

async function connectToEnclave(stateDirectory: string, signer: Address) {
  const directory = join(stateDirectory, 'enclaves')
  for (const name of await readdir(directory).catch(() => [] as string[])) {
    if (!name.endsWith('.sock')) continue
    const connection = await connectEnclaveHost(join(directory, name)).catch(() => undefined)
    if (!connection) continue
    const identity = await connection.request('identity', {}).catch(() => undefined)
    if (identity?.signer === signer) return connection
    connection.disconnect()
  }
  throw new EnclaveError(`no enclave host of ${signer} under ${directory}`)
}
