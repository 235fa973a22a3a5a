import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { boccHome } from '../boccHome.ts'
import type { BoccClient } from '../createBoccClient.ts'
import { createLeaseClient, type LeaseClient } from './createLeaseClient.ts'
import { createLeaseFetch } from './createLeaseFetch.ts'

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
export async function connectLease(
  parameters: ConnectLeaseParameters,
): Promise<LeaseClient & { fetch: ReturnType<typeof createLeaseFetch> }> {
  const { client } = parameters
  const endpoint = parameters.endpoint ?? process.env.BOCC_LEASE_ENDPOINT
  const usageDirectory = parameters.usageDirectory ?? join(boccHome(), 'lease-usage')
  const lease = await createLeaseClient({
    chain: client.chain,
    customer: privateKeyToAccount(parameters.privateKey),
    blobs: client.blobs,
    policy: client.policy.policy,
    leaseId: parameters.leaseId,
    ...(endpoint ? { endpoint } : {}),
    onUsage: (usage) => {
      void mkdir(usageDirectory, { recursive: true, mode: 0o700 })
        .then(() =>
          writeFile(
            join(usageDirectory, `${parameters.leaseId}.json`),
            `${JSON.stringify(usage, null, 2)}\n`,
          ),
        )
        .catch(() => undefined)
    },
  })
  return Object.assign(lease, { fetch: createLeaseFetch(lease) })
}
