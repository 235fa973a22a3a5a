import { type Address, getAddress, isAddress } from 'viem'
import { BoccError } from '../errors.ts'

/** Where BOCC lives on one network: what `deployment.json` holds (docs/protocol.md). */
export type Deployment = {
  version: 1
  chainId: number
  rpcUrl: string
  /** The deployment block, where log scans start. */
  fromBlock: bigint
  contracts: DeploymentContracts
  /** Where blobs are stored: `file://…`, `http(s)://…` or `s3://bucket/prefix`. */
  blobStore?: string
  /** Present only on a `bocc dev` (or demo) network: its development policy file. */
  development?: { policy: string; leaseEndpoint?: string }
}

export type DeploymentContracts = {
  /** The payment token. */
  token: Address
  /** Accounts, stakes, TEE offers and orders: the hot path. */
  market: Address
  /** Measurement allow-list, committee, enclaves. */
  registry: Address
  /** Solution and data offers. */
  catalog: Address
  /** The registry's governor: a timelock whose proposer is the Safe. */
  timelock: Address
  /** The governance multisig. */
  safe: Address
  /** Leases of models for a time window and a token budget (absent on older deployments). */
  leases?: Address
}

const contractNames = ['token', 'market', 'registry', 'catalog', 'timelock', 'safe'] as const

export class DeploymentFileError extends BoccError {
  override name = 'DeploymentFileError'
}

/** The JSON text of a deployment file. */
export function encodeDeployment(deployment: Deployment): string {
  return `${JSON.stringify({ ...deployment, fromBlock: deployment.fromBlock.toString() }, null, 2)}\n`
}

/** Parses a deployment file's text, with a one-line error naming what is wrong. */
export function decodeDeployment(text: string, source = 'the deployment file'): Deployment {
  let value: Record<string, unknown>
  try {
    value = JSON.parse(text)
  } catch {
    throw new DeploymentFileError(`${source} is not JSON`)
  }
  const fail = (what: string): never => {
    throw new DeploymentFileError(`${source}: ${what}`)
  }
  if (value?.version !== 1) fail('unknown version (expected 1)')
  if (!Number.isSafeInteger(value.chainId) || (value.chainId as number) <= 0)
    fail('chainId must be a positive integer')
  if (typeof value.rpcUrl !== 'string' || !/^https?:\/\//.test(value.rpcUrl))
    fail('rpcUrl must be an http(s) URL')
  if (typeof value.fromBlock !== 'string' || !/^\d+$/.test(value.fromBlock))
    fail('fromBlock must be a block number as a decimal string')
  const contracts = value.contracts as Record<string, unknown> | undefined
  const checked = {} as DeploymentContracts
  for (const name of contractNames) {
    const address = contracts?.[name]
    if (typeof address !== 'string' || !isAddress(address, { strict: false }))
      fail(`contracts.${name} must be an address`)
    checked[name] = getAddress(address as string)
  }
  if (contracts?.leases !== undefined) {
    if (typeof contracts.leases !== 'string' || !isAddress(contracts.leases, { strict: false }))
      fail('contracts.leases must be an address')
    checked.leases = getAddress(contracts.leases as string)
  }
  if (value.blobStore !== undefined && typeof value.blobStore !== 'string')
    fail('blobStore must be a URL')
  const development = value.development as { policy?: unknown } | undefined
  if (development !== undefined && typeof development?.policy !== 'string')
    fail('development.policy must be a path')
  return {
    version: 1,
    chainId: value.chainId as number,
    rpcUrl: value.rpcUrl as string,
    fromBlock: BigInt(value.fromBlock as string),
    contracts: checked,
    ...(typeof value.blobStore === 'string' ? { blobStore: value.blobStore } : {}),
    ...(development
      ? {
          development: {
            policy: development.policy as string,
            ...(typeof (development as { leaseEndpoint?: unknown }).leaseEndpoint === 'string'
              ? { leaseEndpoint: (development as { leaseEndpoint: string }).leaseEndpoint }
              : {}),
          },
        }
      : {}),
  }
}
