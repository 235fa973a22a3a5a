import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { BoccClient } from '../createBoccClient.ts'
import { createLeaseClient, type LeaseClient } from './createLeaseClient.ts'
import { createLeaseFetch } from './createLeaseFetch.ts'
import { createLeaseUsageRecorder, defaultLeaseUsageDirectory } from './leaseUsageFile.ts'

export type ConnectLeaseParameters = {
  client: BoccClient
  /** The customer's private key: it signs every request of the lease. */
  privateKey: Hex
  leaseId: bigint
  /** The provider's lease front; default `BOCC_LEASE_ENDPOINT`, then the one it published on-chain. */
  endpoint?: string
  /** Where the latest signed usage is kept (default `lease-usage/` in the BOCC home). */
  usageDirectory?: string
}

/**
 * The customer's side of a lease from an SDK client: verifying, sealing and opening as
 * {@link createLeaseClient} does, with the latest signed usage kept on disk (to contest an
 * over-claim later), and `fetch`, an OpenAI-compatible fetch to hand to an OpenAI client:
 * `new OpenAI({ baseURL: 'http://bocc.invalid/v1', apiKey: '-', fetch: lease.fetch })`.
 */
export async function connectLease(parameters: ConnectLeaseParameters): Promise<
  LeaseClient & {
    fetch: ReturnType<typeof createLeaseFetch>
    /** Resolves once the latest signed usage is on disk (await it before the process exits). */
    usageRecorded(): Promise<void>
  }
> {
  const { client } = parameters
  const endpoint = parameters.endpoint ?? process.env.BOCC_LEASE_ENDPOINT
  let recorded: Promise<void> = Promise.resolve()
  const recordUsage = createLeaseUsageRecorder(
    parameters.usageDirectory ?? defaultLeaseUsageDirectory(),
    parameters.leaseId,
  )
  const lease = await createLeaseClient({
    chain: client.chain,
    customer: privateKeyToAccount(parameters.privateKey),
    blobs: client.blobs,
    policy: client.policy.policy,
    leaseId: parameters.leaseId,
    ...(endpoint ? { endpoint } : {}),
    // Kept to contest an over-claim later (`bocc leases contest`); a failed write is not fatal
    // to the chat, the next usage is written again whole.
    onUsage: (usage) => {
      recorded = recordUsage(usage).catch(() => undefined)
    },
  })
  return Object.assign(lease, {
    fetch: createLeaseFetch(lease),
    usageRecorded: () => recorded,
  })
}
