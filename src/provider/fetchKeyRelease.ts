import { type Address, type Hex, isHex } from 'viem'
import type { WrappedKey } from '../crypto/hpke.ts'
import { BoccError } from '../errors.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'

export type FetchKeyReleaseParameters = {
  /** The owner agents to ask (`ownerAgents` in the provider's configuration). */
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
  for (;;) {
    for (const url of parameters.urls) {
      const { body } = await askOwnerAgent(url, `key-releases/${id}`, parameters.signal)
      const releases = (body as { releases?: unknown } | undefined)?.releases
      if (!Array.isArray(releases)) continue
      for (const item of releases as Record<string, unknown>[]) {
        const release = wrappedKeyOf(item?.release)
        if (
          release &&
          item?.kind === parameters.kind &&
          sameHex(item.resourceHash, parameters.resourceHash) &&
          sameHex(item.enclave, parameters.enclave)
        )
          return release
      }
    }
    if (Date.now() + (parameters.pollMs ?? 500) >= parameters.giveUpAt) return undefined
    parameters.signal?.throwIfAborted()
    await new Promise((resolve) => setTimeout(resolve, parameters.pollMs ?? 500))
  }
}

export class LeaseKeyNotReleasedError extends BoccError {
  override name = 'LeaseKeyNotReleasedError'
}

export type FetchLeaseKeyReleaseParameters = {
  /** The owner agents to ask (`ownerAgents` in the provider's configuration). */
  urls: readonly string[]
  leaseId: bigint
  /** The lease's model: the release must be bound to it. */
  solutionHash: Hex
  /** The enclave serving the lease: only a release sealed to it opens there. */
  enclave: Address
  signal?: AbortSignal
}

/**
 * Asks the owner agents once each for a lease's key release to the enclave serving it
 * (`GET /lease-key-releases/<leaseId>?enclave=<address>`, docs/protocol.md, "Leases"): an agent
 * decides on the spot, so there is nothing to wait for. The first answer that names this lease,
 * model and enclave is handed to the enclave, which alone can open it (a forged or misdirected one
 * is refused there). Throws LeaseKeyNotReleasedError with each agent's answer when none released.
 */
export async function fetchLeaseKeyRelease(
  parameters: FetchLeaseKeyReleaseParameters,
): Promise<WrappedKey> {
  const path = `lease-key-releases/${parameters.leaseId}?enclave=${parameters.enclave}`
  const answers: string[] = []
  for (const url of parameters.urls) {
    const { status, body } = await askOwnerAgent(url, path, parameters.signal)
    const answer = body as Record<string, unknown> | undefined
    const release = wrappedKeyOf(answer?.release)
    if (
      status === 200 &&
      release &&
      answer?.leaseId === String(parameters.leaseId) &&
      sameHex(answer.solutionHash, parameters.solutionHash) &&
      sameHex(answer.enclave, parameters.enclave)
    )
      return release
    const error = typeof answer?.error === 'string' ? answer.error.slice(0, 300) : undefined
    answers.push(
      `${url} ${status === undefined ? 'cannot be reached' : `answered ${status}${error ? ` (${error})` : ''}`}`,
    )
  }
  throw new LeaseKeyNotReleasedError(
    `no owner agent released the key of lease ${parameters.leaseId} to enclave ${parameters.enclave}: ${answers.join('; ') || 'none is configured (ownerAgents)'}`,
  )
}

/** One ask of an owner agent: its status and JSON body, or neither when it is down. */
async function askOwnerAgent(
  url: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<{ status?: number; body?: unknown }> {
  try {
    const response = await fetch(new URL(path, url.endsWith('/') ? url : `${url}/`), {
      signal: AbortSignal.any([AbortSignal.timeout(5_000), ...(signal ? [signal] : [])]),
    })
    const body = await response.json().catch(() => undefined)
    return { status: response.status, body }
  } catch {
    return {}
  }
}

function wrappedKeyOf(value: unknown): WrappedKey | undefined {
  const release = value as Record<string, unknown> | undefined
  return isHex(release?.enc) && isHex(release?.ciphertext)
    ? { enc: release.enc, ciphertext: release.ciphertext }
    : undefined
}

const sameHex = (value: unknown, expected: string) =>
  typeof value === 'string' && value.toLowerCase() === expected.toLowerCase()
