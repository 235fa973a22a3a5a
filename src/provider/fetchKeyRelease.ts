import { type Address, type Hex, isHex } from 'viem'
import type { WrappedKey } from '../crypto/hpke.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'

export type FetchKeyReleaseParameters = {
  /** The owner agents to ask (`keyReleases` in the provider's configuration). */
  urls: readonly string[]
  orderId: bigint
  kind: 'solution' | 'data'
  /** The solution's (or data set's) hash the release must be bound to. */
  resourceHash: Hex
  /** The order's enclave: only a release sealed to it can open there. */
  enclave: Address
  /** When to stop asking (ms since the epoch): the owner may not release at all. */
  giveUpAt: number
  pollMs?: number
  signal?: AbortSignal
}

/**
 * Asks the owner agents for an order's key release (`GET /key-releases/<orderId>`,
 * docs/protocol.md, "Key release") until one names this order's resource and enclave, or until
 * `giveUpAt`; undefined then, and the enclave signs failure 4 without it. The release opens only
 * in the enclave, so the host relays it without learning anything, and a forged one is refused
 * there; an agent that is down or answers garbage is only asked again.
 */
export async function fetchKeyRelease(
  parameters: FetchKeyReleaseParameters,
): Promise<WrappedKey | undefined> {
  const id = formatOrderId(parameters.orderId)
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  for (;;) {
    for (const url of parameters.urls) {
      const answer = await fetch(new URL(`key-releases/${id}`, withSlash(url)), {
        signal: AbortSignal.any([
          AbortSignal.timeout(5_000),
          ...(parameters.signal ? [parameters.signal] : []),
        ]),
      })
        .then((response) => (response.ok ? response.json() : undefined))
        .catch(() => undefined)
      const releases = (answer as { releases?: unknown } | undefined)?.releases
      if (!Array.isArray(releases)) continue
      for (const item of releases as Record<string, unknown>[]) {
        const release = item?.release as Record<string, unknown> | undefined
        if (
          item?.kind === parameters.kind &&
          typeof item.resourceHash === 'string' &&
          same(item.resourceHash, parameters.resourceHash) &&
          typeof item.enclave === 'string' &&
          same(item.enclave, parameters.enclave) &&
          isHex(release?.enc) &&
          isHex(release?.ciphertext)
        )
          return { enc: release.enc, ciphertext: release.ciphertext }
      }
    }
    if (Date.now() + (parameters.pollMs ?? 500) >= parameters.giveUpAt) return undefined
    parameters.signal?.throwIfAborted()
    await new Promise((resolve) => setTimeout(resolve, parameters.pollMs ?? 500))
  }
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`)
