import type { Hex } from 'viem'
import type { WrappedKey } from '../crypto/hpke.ts'
import { formatOrderId, parseOrderId } from '../protocol/orderTerms.ts'
import type { FetchHandler } from '../storage/blobServer.ts'

/** One key released for one order: sealed to that order's enclave, bound to the order and resource. */
export type ReleasedKey = {
  kind: 'data' | 'solution'
  /** The data set's `dataHash` or the solution's `solutionHash`. */
  resourceHash: Hex
  /** The enclave the key is sealed to. */
  enclave: Hex
  /** HPKE base mode to the enclave's key (docs/protocol.md, "Key release"). */
  release: WrappedKey
}

/**
 * The owner agent's web-standard handler: `GET /key-releases/<orderId>` answers the releases made
 * for that order, `{ version: 1, orderId, releases: [{ kind, resourceHash, enclave, release }] }`,
 * and 404 while there is none (not paid yet, refused, or not this vendor's). Each release opens
 * only inside the order's enclave, so whoever relays it (the provider) learns nothing from it.
 */
export function createKeyReleaseHandler(
  releases: ReadonlyMap<bigint, ReleasedKey[]>,
): FetchHandler {
  return {
    async fetch(request) {
      const url = new URL(request.url)
      const match = /^\/key-releases\/([^/]+)$/.exec(url.pathname)
      if (!match) return json(404, { error: 'not found' })
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return json(405, { error: 'only GET and HEAD' })
      const orderId = parseOrderId(match[1] as string)
      if (orderId === undefined) return json(400, { error: 'not an order id' })
      const released = releases.get(orderId)
      if (!released || released.length === 0)
        return json(404, { error: `no key released for order ${formatOrderId(orderId)}` })
      return json(200, { version: 1, orderId: formatOrderId(orderId), releases: released })
    },
  }
}

/** A JSON answer of the owner agent; releases are never cached on the way. */
export function json(status: number, body: unknown): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })
}
