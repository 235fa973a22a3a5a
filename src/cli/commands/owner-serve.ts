import type { Command } from 'commander'
import { parsePolicy } from '../../attestation/policy.ts'
import { createContentKeyStore } from '../../client/contentKeyStore.ts'
import { readPolicyFile } from '../../client/customerPolicy.ts'
import { readOwnerConfig } from '../../owner/ownerConfig.ts'
import { type OwnerAgentEvent, startOwnerAgent } from '../../owner/startOwnerAgent.ts'
import { addExamples, clientFrom } from '../networkOptions.ts'
import { parseCount, UsageError } from '../usage.ts'

export function define(command: Command) {
  command
    .requiredOption('--config <file>', 'the owner agent’s config (docs/cli.md, "Owner agent")')
    .option('--deployment <file>', 'the deployment file (over the config’s; env BOCC_DEPLOYMENT)')
    .option('--key <file>', 'the vendor’s key file (over the config’s; env BOCC_KEY_FILE)')
    .option('--rpc <url>', 'another RPC URL for its chain (env BOCC_RPC_URL)')
    .option('--blobs <url>', 'another blob store (env BOCC_BLOB_STORE)')
    .option('--port <port>', 'serve key releases on this port of 127.0.0.1')
    .option('--json', 'print one JSON object per event, one a line')
  addExamples(command, 'bocc owner serve --config owner.json')
}

type Options = {
  config: string
  deployment?: string
  key?: string
  rpc?: string
  blobs?: string
  port?: string
  json?: boolean
}

/**
 * Runs the vendor's owner agent until Ctrl-C: releases the vendor's content keys, each sealed to
 * the executing enclave, for paid orders whose enclave the vendor's policy accepts, and for running
 * leases of its chat models to the lease provider's enclaves the policy accepts.
 */
export async function run(options: Options): Promise<number> {
  const config = await readOwnerConfig(options.config)
  const port = options.port === undefined ? config.port : parseCount(options.port, '--port')
  const pick = (flag: string | undefined, variable: string, fromConfig: string | undefined) =>
    flag ?? process.env[variable] ?? fromConfig
  const deployment = pick(options.deployment, 'BOCC_DEPLOYMENT', config.deployment)
  const key = pick(options.key, 'BOCC_KEY_FILE', config.key)
  if (!deployment)
    throw new UsageError(
      'the owner agent needs a deployment: give deployment in --config, or --deployment',
    )
  if (!key)
    throw new UsageError('the owner agent needs the vendor’s key: give key in --config, or --key')
  const rpc = pick(options.rpc, 'BOCC_RPC_URL', config.rpc)
  const blobs = pick(options.blobs, 'BOCC_BLOB_STORE', config.blobs)
  const { client, privateKey } = await clientFrom(
    { deployment, key, ...(rpc ? { rpc } : {}), ...(blobs ? { blobs } : {}) },
    { account: true },
  )
  const fallback = config.policy ? await readPolicyFile(config.policy) : client.policy.policy
  const print = (event: OwnerAgentEvent) =>
    console.log(options.json ? JSON.stringify(event) : describe(event))
  if (!options.json && !config.policy && client.policy.source === 'development')
    console.log(
      'simulated TEE accepted by this development network’s policy (where a key has no policy of its own)',
    )
  const agent = await startOwnerAgent({
    chain: client.chain,
    vendor: client.account as `0x${string}`,
    blobs: client.blobs,
    keys: createContentKeyStore({
      chainId: client.deployment.chainId,
      market: client.deployment.contracts.market,
      accountPrivateKey: privateKey as `0x${string}`,
    }),
    policyFor: ({ stored }) => (stored === undefined ? fallback : parsePolicy(stored)),
    listen: { host: config.host ?? '127.0.0.1', port: port ?? 0 },
    onEvent: print,
  })
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await agent.stop()
  return 0
}

function describe(event: OwnerAgentEvent): string {
  switch (event.event) {
    case 'listening':
      return `serving key releases at ${event.url}key-releases/ORDER_ID and ${event.url}lease-key-releases/LEASE_ID?enclave=ADDRESS`
    case 'watching':
      return `watching the orders of ${event.vendor}: ${event.resources.map((resource) => `${resource.kind} offer ${resource.offerId}`).join(', ') || 'no offer with a kept key'}`
    case 'key-released':
      return `released the ${event.kind} key for order ${event.orderId} to enclave ${event.enclave}`
    case 'release-refused':
      return `refused order ${event.orderId}: enclave ${event.enclave} fails the policy (${event.reason})`
    case 'lease-key-released':
      return `released the model key for lease ${event.leaseId} to enclave ${event.enclave}`
    case 'lease-release-refused':
      return `refused lease ${event.leaseId} for enclave ${event.enclave}: ${event.reason}`
    case 'warning':
      return `warning: ${event.message}`
  }
}
