import { type Address, getAddress, type Hex, isAddress } from 'viem'
import { type AttestationPolicy, parsePolicy } from '../attestation/policy.ts'
import { type Deployment, decodeDeployment, encodeDeployment } from '../chain/deploymentFormat.ts'
import { BoccError } from '../errors.ts'

/**
 * What an explorer page is pointed at (`config.json` beside the page): the deployment, the RPC
 * and the blob store it reads, and on a development network that network's attestation policy.
 * The page sends requests to its own origin, `rpcUrl` and `blobStoreUrl`, and nowhere else.
 */
export type ExplorerConfig = {
  version: 1
  deployment: Deployment
  /** The JSON-RPC endpoint the page reads the chain from (and sends wallet transactions through). */
  rpcUrl: string
  /** The BOCC blob server the page reads evidence, requests and outputs from (http(s), ends in `/`). */
  blobStoreUrl: string
  /** A development network's own policy, which accepts the simulated TEE; absent elsewhere. */
  developmentPolicy?: AttestationPolicy
  /**
   * Runtime measurements the page's production policy accepts; when absent it accepts those the
   * on-chain transparency log lists (and says so).
   */
  measurements?: Hex[]
  /**
   * The page's server signs for these dev accounts of a development network (`/dev-wallet`), by
   * role; their keys stay on the server, and a static build never has this.
   */
  devWallet?: { accounts: DevAccount[] }
}

export type DevAccount = { role: string; address: Address }

export class ExplorerConfigError extends BoccError {
  override name = 'ExplorerConfigError'
}

/** The JSON text of `config.json`. */
export function encodeExplorerConfig(config: ExplorerConfig): string {
  return `${JSON.stringify({ ...config, deployment: JSON.parse(encodeDeployment(config.deployment)) }, null, 2)}\n`
}

/** Parses `config.json`, with a one-line error naming what is wrong. */
export function decodeExplorerConfig(text: string): ExplorerConfig {
  let value: Record<string, unknown>
  try {
    value = JSON.parse(text)
  } catch {
    throw new ExplorerConfigError('the explorer configuration is not JSON')
  }
  const fail = (what: string): never => {
    throw new ExplorerConfigError(`the explorer configuration: ${what}`)
  }
  if (value?.version !== 1) fail('unknown version (expected 1)')
  const deployment = decodeDeployment(JSON.stringify(value.deployment), 'its deployment')
  const url = (key: string) => {
    const text = value[key]
    if (typeof text !== 'string' || !/^https?:\/\//.test(text))
      fail(`${key} must be an http(s) URL`)
    return text as string
  }
  const blobStoreUrl = url('blobStoreUrl')
  const measurements = value.measurements
  if (
    measurements !== undefined &&
    !(Array.isArray(measurements) && measurements.every((m) => /^0x[0-9a-fA-F]{64}$/.test(m)))
  )
    fail('measurements must be a list of 32-byte hex values')
  return {
    version: 1,
    deployment,
    rpcUrl: url('rpcUrl'),
    blobStoreUrl: blobStoreUrl.endsWith('/') ? blobStoreUrl : `${blobStoreUrl}/`,
    ...(value.developmentPolicy === undefined
      ? {}
      : { developmentPolicy: parsePolicy(value.developmentPolicy) }),
    ...(measurements === undefined ? {} : { measurements: measurements as Hex[] }),
    ...(value.devWallet === undefined ? {} : { devWallet: devWalletOf(value.devWallet, fail) }),
  }
}

function devWalletOf(value: unknown, fail: (what: string) => never): { accounts: DevAccount[] } {
  const accounts = (value as { accounts?: unknown })?.accounts
  if (!Array.isArray(accounts) || accounts.length === 0) fail('devWallet.accounts must be a list')
  return {
    accounts: (accounts as { role?: unknown; address?: unknown }[]).map((account) => {
      if (typeof account?.role !== 'string' || !isAddress(String(account.address)))
        fail('each dev account has a role and an address')
      return { role: account.role as string, address: getAddress(String(account.address)) }
    }),
  }
}
