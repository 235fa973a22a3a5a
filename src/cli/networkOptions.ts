import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type AttestationPolicy, parsePolicy } from '../attestation/policy.ts'
import { type BoccChain, connectBoccChain } from '../chain/boccChain.ts'
import { type Deployment, readDeployment } from '../chain/deployment.ts'
import { BoccError } from '../errors.ts'
import { type BlobStore, createFsBlobStore } from '../storage/blobStore.ts'
import { UsageError } from './usage.ts'

/** The options every command that talks to a network takes (with their environment variables). */
export const networkOptions = {
  deployment: { type: 'string' },
  rpc: { type: 'string' },
  blobs: { type: 'string' },
} as const

export type NetworkOptionValues = { deployment?: string; rpc?: string; blobs?: string }

/** The deployment file from `--deployment` or `BOCC_DEPLOYMENT`. */
export async function deploymentFrom(values: NetworkOptionValues): Promise<Deployment> {
  const path = values.deployment ?? process.env.BOCC_DEPLOYMENT
  if (!path) throw new UsageError('give --deployment FILE (or set BOCC_DEPLOYMENT)')
  return readDeployment(path)
}

/** Connects to the deployment's network, or to `--rpc` / `BOCC_RPC_URL` instead. */
export async function chainFrom(values: NetworkOptionValues): Promise<BoccChain> {
  const deployment = await deploymentFrom(values)
  const rpcUrl = values.rpc ?? process.env.BOCC_RPC_URL
  return connectBoccChain(deployment, rpcUrl ? { rpcUrl } : {})
}

/** The blob store from `--blobs DIR`, or the deployment's. */
export function blobStoreFrom(values: NetworkOptionValues, deployment: Deployment): BlobStore {
  if (values.blobs) return createFsBlobStore(values.blobs)
  const url = deployment.blobStore
  if (!url) throw new UsageError('the deployment names no blob store; give --blobs DIR')
  if (url.startsWith('file:')) return createFsBlobStore(fileURLToPath(url))
  throw new BoccError(`this command cannot open the blob store ${url} yet`)
}

/**
 * The attestation policy a command applies on this network: a development network's own policy
 * (which accepts the simulated TEE, and says so), else the one given, else `fallback`.
 */
export async function networkPolicy(
  deployment: Deployment,
  fallback: AttestationPolicy,
): Promise<{ policy: AttestationPolicy; development: boolean }> {
  if (!deployment.development) return { policy: fallback, development: false }
  let text: string
  try {
    text = await readFile(deployment.development.policy, 'utf8')
  } catch {
    throw new BoccError(`cannot read the development policy ${deployment.development.policy}`)
  }
  return { policy: parsePolicy(JSON.parse(text)), development: true }
}

/** The one line a command prints when a development network's policy accepts the simulated TEE. */
export const simulatedTeeNotice = 'simulated TEE accepted by this development network’s policy'
