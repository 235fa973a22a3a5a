import { type Address, getAddress, type Hex, type LocalAccount, verifyTypedData } from 'viem'
import type { AttestationPolicy } from '../../attestation/policy.ts'
import { getLease, type Lease } from '../../chain/actions/leases/getLease.ts'
import { leasesAddress } from '../../chain/actions/leases/leasesAddress.ts'
import type { BoccChain } from '../../chain/boccChain.ts'
import { BoccError, shortMessageOf } from '../../errors.ts'
import {
  createResponseOpener,
  type LeaseRequestContext,
  type LeaseResponseEvent,
  type LeaseUsageRecord,
  leaseSessionUnknown,
  type SealedResponseChunk,
} from '../../protocol/leaseChannel.ts'
import { leasesDomain, leaseUsageTypes } from '../../protocol/leaseUsage.ts'
import type { BlobStore } from '../../storage/blobStore.ts'
import { type VerifiedEnclave, verifyEnclave } from '../verifyEnclave.ts'
import { findLeaseEndpoint } from './findLeaseEndpoint.ts'
import { getCustomerLease } from './getCustomerLease.ts'
import { type LeaseSession, sealLeaseRequest } from './sealLeaseRequest.ts'

export class LeaseEndedError extends BoccError {
  override name = 'LeaseEndedError'
  constructor(leaseId: bigint, endedAt: number) {
    super(`lease ${leaseId} ended at ${new Date(endedAt * 1000).toISOString()}: open a new lease`)
  }
}

export class EnclaveRefusedError extends BoccError {
  override name = 'EnclaveRefusedError'
}

export class LeaseEndpointError extends BoccError {
  override name = 'LeaseEndpointError'
}

export type CreateLeaseClientParameters = {
  chain: BoccChain
  /** The lease's customer key: it signs the first request to each enclave (which opens a session). */
  customer: Pick<LocalAccount, 'address' | 'signMessage'>
  blobs: BlobStore
  /** The customer's attestation policy: no byte goes to an enclave it does not accept. */
  policy: AttestationPolicy
  leaseId: bigint
  /** The provider's lease front (`http://host:port`); default: the one it published on-chain. */
  endpoint?: string
  /** Called with each new signed usage the enclave returns (keep the latest to contest over-claims). */
  onUsage?: (usage: LeaseUsageRecord) => void
  fetch?: typeof fetch
}

export type LeaseClient = {
  lease: Lease
  /** The enclave verified last, if any. */
  verified(): VerifiedEnclave | undefined
  /** The latest signed usage the enclave returned. */
  latestUsage(): LeaseUsageRecord | undefined
  /**
   * Sends one chat completion request body, sealed, and yields the opened response events. The
   * enclave is verified against the policy before the first byte leaves, and again whenever the
   * front names another enclave; a response altered, reordered, replayed or cut off throws.
   */
  send(body: unknown): AsyncGenerator<LeaseResponseEvent>
}

/** How long a lease read on-chain is trusted to still run (closing it is seen this late). */
const leaseRefreshMs = 15_000

/** The customer's side of a lease: verification, sealing, and opening of responses. */
export async function createLeaseClient(
  parameters: CreateLeaseClientParameters,
): Promise<LeaseClient> {
  const { chain, leaseId } = parameters
  const fetcher = parameters.fetch ?? fetch
  let lease: Lease = await getCustomerLease(chain, {
    leaseId,
    customer: parameters.customer.address,
  })
  let leaseReadAt = Date.now()
  const endpoint = (
    await findLeaseEndpoint(chain, { provider: lease.provider, endpoint: parameters.endpoint })
  ).replace(/\/+$/, '')
  const leases = leasesAddress(chain)
  let current: VerifiedEnclave | undefined
  let latest: LeaseUsageRecord | undefined
  let lastSequence = 0n
  // The session the current enclave opened with this client's last signed request to it.
  let session: (LeaseSession & { enclave: Address }) | undefined
  const dropSession = () => {
    session?.key.fill(0)
    session = undefined
  }

  const frontJson = async (path: string, init?: RequestInit) => {
    let response: Response
    try {
      response = await fetcher(`${endpoint}${path}`, init)
    } catch (error) {
      throw new LeaseEndpointError(`the lease endpoint ${endpoint} cannot be reached`, {
        cause: error,
      })
    }
    return response
  }

  /** Verifies the enclave the front serves now; refuses one the policy does not accept. */
  const verifyCurrent = async (): Promise<VerifiedEnclave> => {
    const response = await frontJson('/v1/bocc/enclave')
    if (!response.ok) throw new LeaseEndpointError(`the lease endpoint answered ${response.status}`)
    const announced = (await response.json()) as { signer?: Address; hpkePublicKey?: Hex }
    const signer = getAddress(String(announced.signer))
    if (current && current.enclave === signer && current.hpkePublicKey === announced.hpkePublicKey)
      return current
    current = undefined
    const verified = await verifyEnclave(chain, {
      enclave: signer,
      blobs: parameters.blobs,
      policy: parameters.policy,
    }).catch((error: unknown) => {
      throw new EnclaveRefusedError(
        `enclave ${signer} cannot be verified: ${shortMessageOf(error)}`,
      )
    })
    if (!verified.ok)
      throw new EnclaveRefusedError(
        `enclave ${signer} does not pass your policy: ${verified.checks
          .filter((check) => check.status === 'failed')
          .map((check) => check.name)
          .join(', ')}`,
      )
    if (getAddress(verified.provider) !== getAddress(lease.provider))
      throw new EnclaveRefusedError(`enclave ${signer} is not the lease provider’s`)
    if (verified.hpkePublicKey !== announced.hpkePublicKey)
      throw new EnclaveRefusedError(
        `the endpoint announces another HPKE key for enclave ${signer} than its evidence binds`,
      )
    current = verified
    return verified
  }

  /** Refuses to send on a lease that has ended (closed, past its end, finalised). */
  const checkLeaseRuns = async () => {
    if (Date.now() - leaseReadAt > leaseRefreshMs) {
      lease = (await getLease(chain, { leaseId })) ?? lease
      leaseReadAt = Date.now()
    }
    const end = lease.closedAt !== 0 ? lease.closedAt : lease.endsAt
    if (lease.finalized || lease.overClaimed || Date.now() / 1000 >= end)
      throw new LeaseEndedError(leaseId, end)
  }

  const nextSequence = () => {
    // Above every sequence this key used before, also from an earlier process: time-based.
    const now = BigInt(Date.now()) * 1000n
    lastSequence = now > lastSequence ? now : lastSequence + 1n
    return lastSequence
  }

  const checkUsage = async (usage: LeaseUsageRecord, enclave: Address) => {
    const valid =
      getAddress(usage.enclave) === enclave &&
      getAddress(usage.customer) === getAddress(parameters.customer.address) &&
      BigInt(usage.leaseId) === leaseId &&
      (await verifyTypedData({
        address: enclave,
        domain: leasesDomain(chain.deployment.chainId, leases),
        types: leaseUsageTypes,
        primaryType: 'LeaseUsage',
        message: {
          leaseId,
          customer: parameters.customer.address,
          tokensIn: BigInt(usage.tokensIn),
          tokensOut: BigInt(usage.tokensOut),
          requests: BigInt(usage.requests),
        },
        signature: usage.signature,
      }))
    if (!valid) throw new EnclaveRefusedError('the enclave’s signed usage does not verify')
    if (
      !latest ||
      latest.enclave !== usage.enclave ||
      BigInt(latest.requests) < BigInt(usage.requests)
    )
      latest = usage
    parameters.onUsage?.(usage)
  }

  async function* send(body: unknown): AsyncGenerator<LeaseResponseEvent> {
    let response: Response | undefined
    let context: LeaseRequestContext | undefined
    let responseKey: Uint8Array | undefined
    await checkLeaseRuns()
    // At most one retry for each of: another enclave serves now; the session is gone.
    let enclaveChanged = false
    let sessionLost = false
    for (;;) {
      const enclave = current ?? (await verifyCurrent())
      context = {
        chainId: chain.deployment.chainId,
        leases,
        leaseId,
        solutionHash: lease.solutionHash,
        enclave: enclave.enclave,
        sequence: nextSequence(),
        // The terms the enclave holds this request to (it has no chain to read them from).
        endsAt: lease.endsAt,
        maxTokens: lease.maxTokens,
      }
      const underSession = session?.enclave === enclave.enclave ? session : undefined
      const sealed = await sealLeaseRequest({
        context,
        enclaveHpkePublicKey: enclave.hpkePublicKey,
        body,
        from: underSession ? { session: underSession } : { customer: parameters.customer },
      })
      responseKey = sealed.responseKey
      response = await frontJson('/v1/bocc/requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sealed.request),
      })
      // Another enclave serves now: verify it before anything is sealed to it.
      if (response.status === 409 && !enclaveChanged) {
        enclaveChanged = true
        await response.body?.cancel()
        current = undefined
        dropSession()
        continue
      }
      // The enclave no longer holds the session (it restarted): sign this request instead.
      if (underSession && response.status === 400 && !sessionLost) {
        const refusal = await response
          .clone()
          .json()
          .catch(() => ({}))
        if (String((refusal as { error?: unknown }).error).includes(leaseSessionUnknown)) {
          sessionLost = true
          dropSession()
          continue
        }
      }
      if (response.ok && sealed.opensSession) {
        dropSession()
        session = { ...sealed.opensSession, enclave: enclave.enclave }
      } else sealed.opensSession?.key.fill(0)
      break
    }
    if (!response || !context || !responseKey) throw new LeaseEndpointError('no response')
    if (!response.ok || !response.body) {
      const error = await response.json().catch(() => ({}))
      throw new LeaseEndpointError(
        `the lease endpoint refused the request (${response.status}): ${String(
          (error as { error?: unknown }).error ?? 'no reason given',
        )}`,
      )
    }
    const opener = createResponseOpener(responseKey, context)
    responseKey.fill(0)
    const enclave = context.enclave
    for await (const line of ndjsonLines(response.body)) {
      const event = await opener.open(JSON.parse(line) as SealedResponseChunk)
      if (event.type === 'done') await checkUsage(event.usage, enclave)
      yield event
    }
    opener.assertFinished()
  }

  return {
    get lease() {
      return lease
    },
    verified: () => current,
    latestUsage: () => latest,
    send,
  }
}

async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const piece of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(piece, { stream: true })
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      if (line.trim()) yield line
      newline = buffered.indexOf('\n')
    }
  }
  if (buffered.trim()) yield buffered
}
