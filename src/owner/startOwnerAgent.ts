import type { Address, Hex } from 'viem'
import type { AttestationPolicy } from '../attestation/policy.ts'
import { listCatalogOffers } from '../chain/actions/catalog/listCatalogOffers.ts'
import { getCreatedOrders } from '../chain/actions/market/getCreatedOrders.ts'
import { getOrderState } from '../chain/actions/market/getOrderState.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import type { ContentKeyStore, ContentKind } from '../client/contentKeyStore.ts'
import { shortMessageOf } from '../errors.ts'
import { releaseKey } from '../protocol/keyRelease.ts'
import { formatOrderId, type OrderTerms } from '../protocol/orderTerms.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { type ServeOptions, serveFetch } from '../storage/startBlobServer.ts'
import { createLeaseKeyReleaser } from './createLeaseKeyReleaser.ts'
import { createKeyReleaseHandler, type ReleasedKey } from './keyReleaseHandler.ts'
import { createLeaseKeyReleaseHandler } from './leaseKeyReleaseHandler.ts'
import { verifyReleaseEnclave } from './verifyReleaseEnclave.ts'

/** What the owner agent reports as it works (public values only: never a key). */
export type OwnerAgentEvent =
  | { event: 'listening'; url: string }
  | {
      event: 'watching'
      vendor: Address
      resources: { kind: ContentKind; offerId: number; resourceHash: Hex }[]
    }
  | { event: 'key-released'; orderId: Hex; kind: ContentKind; resourceHash: Hex; enclave: Address }
  | {
      event: 'release-refused'
      orderId: Hex
      kind: ContentKind
      resourceHash: Hex
      enclave: Address
      reason: string
    }
  | { event: 'lease-key-released'; leaseId: string; solutionHash: Hex; enclave: Address }
  | { event: 'lease-release-refused'; leaseId: string; enclave: Address; reason: string }
  | { event: 'warning'; message: string }

export type StartOwnerAgentParameters = {
  /** The vendor's connection: its account is the vendor whose offers are watched. */
  chain: BoccChain
  vendor: Address
  blobs: BlobStore
  keys: ContentKeyStore
  /** The vendor's attestation policy for a resource (from its key file, or the agent's default). */
  policyFor(resource: { kind: ContentKind; resourceHash: Hex; stored?: unknown }): AttestationPolicy
  /** Where to serve releases (127.0.0.1 and any free port by default). */
  listen?: ServeOptions
  pollIntervalMs?: number
  onEvent(event: OwnerAgentEvent): void
}

export type OwnerAgent = {
  url: string
  releases: ReadonlyMap<bigint, ReleasedKey[]>
  stop(): Promise<void>
}

type Resource = {
  kind: ContentKind
  offerId: number
  resourceHash: Hex
  key: Uint8Array
  policy: AttestationPolicy
}

/**
 * The owner agent of a data or solution vendor: it watches the orders that use the vendor's
 * offers, and for each one that is paid (accepted on-chain, its escrow locked) it checks the
 * executing enclave itself against the vendor's own policy (on-chain record, evidence,
 * measurement, TCB status, hardware kind, allow-list) and only then seals the vendor's content
 * key to that enclave's HPKE key, bound to the order and the resource (`src/protocol/keyRelease.ts`).
 * Releases are served to whoever asks (`keyReleaseHandler.ts`): only that enclave can open one.
 * An order whose enclave the policy refuses gets no release, ever; nothing else leaves the agent.
 * For leases of its encrypted chat models it releases on demand, when the provider asks for the
 * enclave it serves the lease with (`createLeaseKeyReleaser.ts`, `leaseKeyReleaseHandler.ts`): a
 * lease names no enclave, so there is nothing to prepare when it opens.
 */
export async function startOwnerAgent(parameters: StartOwnerAgentParameters): Promise<OwnerAgent> {
  const { chain, onEvent } = parameters
  const resources: Resource[] = []
  // Offers the vendor creates while the agent runs are watched from the next poll on.
  async function refreshResources() {
    const added = await loadNewResources(parameters, resources)
    if (added.length === 0 && resources.length > 0) return
    resources.push(...added)
    onEvent({
      event: 'watching',
      vendor: parameters.vendor,
      resources: resources.map(({ kind, offerId, resourceHash }) => ({
        kind,
        offerId,
        resourceHash,
      })),
    })
  }
  await refreshResources()
  const releases = new Map<bigint, ReleasedKey[]>()
  const orderReleases = createKeyReleaseHandler(releases)
  const leaseReleases = createLeaseKeyReleaseHandler(
    createLeaseKeyReleaser({
      chain,
      vendor: parameters.vendor,
      blobs: parameters.blobs,
      modelKeyFor: ({ offerId, solutionHash }) =>
        resources.find(
          (resource) =>
            resource.kind === 'solution' &&
            resource.offerId === offerId &&
            resource.resourceHash.toLowerCase() === solutionHash.toLowerCase(),
        ),
      onReleased: ({ leaseId, solutionHash, enclave }) =>
        onEvent({ event: 'lease-key-released', leaseId: String(leaseId), solutionHash, enclave }),
      onRefused: ({ leaseId, enclave, reason }) =>
        onEvent({ event: 'lease-release-refused', leaseId: String(leaseId), enclave, reason }),
    }),
  )
  const server = await serveFetch(
    {
      fetch: (request) =>
        new URL(request.url).pathname.startsWith('/lease-key-releases/')
          ? leaseReleases.fetch(request)
          : orderReleases.fetch(request),
    },
    parameters.listen ?? {},
  )
  onEvent({ event: 'listening', url: server.url })

  const pending = new Map<bigint, OrderTerms>()
  const decided = new Set<bigint>()
  let nextBlock = chain.deployment.fromBlock
  let running = true

  async function discover() {
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 })
    if (head < nextBlock) return
    const created = await getCreatedOrders(chain, { fromBlock: nextBlock, toBlock: head })
    for (const order of created)
      if (!decided.has(order.orderId) && resourcesOf(order.terms).length > 0)
        pending.set(order.orderId, order.terms)
    nextBlock = head + 1n
  }

  function resourcesOf(terms: OrderTerms): Resource[] {
    const vendor = parameters.vendor.toLowerCase()
    return resources.filter((resource) =>
      resource.kind === 'data'
        ? terms.dataVendor.toLowerCase() === vendor &&
          terms.dataOfferId === resource.offerId &&
          terms.dataHash.toLowerCase() === resource.resourceHash.toLowerCase()
        : terms.solutionVendor.toLowerCase() === vendor &&
          terms.solutionOfferId === resource.offerId &&
          terms.solutionHash.toLowerCase() === resource.resourceHash.toLowerCase(),
    )
  }

  /** Releases the order's keys once it is paid; drops it when it ended without being paid. */
  async function decide(orderId: bigint, terms: OrderTerms) {
    const { status } = await getOrderState(chain, { orderId })
    if (status === 'created') return
    pending.delete(orderId)
    decided.add(orderId)
    if (status !== 'accepted') return // ended, or already past the point where a key helps
    for (const resource of resourcesOf(terms)) {
      const common = {
        orderId: formatOrderId(orderId),
        kind: resource.kind,
        resourceHash: resource.resourceHash,
        enclave: terms.enclave,
      }
      const enclave = await verifyReleaseEnclave(chain, {
        enclave: terms.enclave,
        blobs: parameters.blobs,
        policy: resource.policy,
      })
      if (!enclave.ok) {
        onEvent({ event: 'release-refused', ...common, reason: enclave.reason })
        continue
      }
      const release = await releaseKey({
        enclaveHpkePublicKey: enclave.hpkePublicKey,
        key: resource.key,
        orderId,
        resourceHash: resource.resourceHash,
      })
      releases.set(orderId, [
        ...(releases.get(orderId) ?? []),
        {
          kind: resource.kind,
          resourceHash: resource.resourceHash,
          enclave: terms.enclave,
          release,
        },
      ])
      onEvent({ event: 'key-released', ...common })
    }
  }

  const loop = (async () => {
    while (running) {
      try {
        await refreshResources()
        await discover()
        for (const [orderId, terms] of pending) await decide(orderId, terms)
      } catch (error) {
        onEvent({ event: 'warning', message: shortMessageOf(error) })
      }
      await new Promise((resolve) => setTimeout(resolve, parameters.pollIntervalMs ?? 250))
    }
  })()

  return {
    url: server.url,
    releases,
    async stop() {
      running = false
      await loop
      await server.close()
      for (const resource of resources) resource.key.fill(0)
    },
  }
}

/** The vendor's offers whose content key is in its key store, not loaded yet, with the policy for each. */
async function loadNewResources(
  parameters: StartOwnerAgentParameters,
  loaded: readonly Resource[],
): Promise<Resource[]> {
  const { solutions, data } = await listCatalogOffers(parameters.chain)
  const vendor = parameters.vendor.toLowerCase()
  const candidates = [
    ...data.map((offer) => ({ kind: 'data' as const, offer, resourceHash: offer.dataHash })),
    ...solutions.map((offer) => ({
      kind: 'solution' as const,
      offer,
      resourceHash: offer.solutionHash,
    })),
  ].filter(
    ({ offer, kind, resourceHash }) =>
      offer.owner.toLowerCase() === vendor &&
      !loaded.some((resource) => resource.kind === kind && resource.offerId === offer.offerId) &&
      parameters.keys.has({ kind, contentHash: resourceHash }),
  )
  const resources: Resource[] = []
  for (const { kind, offer, resourceHash } of candidates) {
    const { key, policy } = await parameters.keys.load({ kind, contentHash: resourceHash })
    resources.push({
      kind,
      offerId: offer.offerId,
      resourceHash,
      key,
      policy: parameters.policyFor({ kind, resourceHash, stored: policy }),
    })
  }
  return resources
}
