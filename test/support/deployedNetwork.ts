import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { useFaucet } from '../../src/chain/actions/token/useFaucet.ts'
import { connectBoccSigner } from '../../src/chain/boccChain.ts'
import { type Deployment, readDeployment } from '../../src/chain/deployment.ts'
import { type DevRole, devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { writeKeyFile } from '../../src/chain/keyFile.ts'
import { devPolicy } from '../../src/devnet/startDevNetwork.ts'
import { type Service, spawnService } from '../../src/processes/spawnService.ts'
import { packSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import type { ProviderEvent } from '../../src/provider/providerEvents.ts'
import { paddleOcrSolution } from '../../src/solutions/paddleocr/paddleOcrSolution.ts'
import { runBocc } from './runBocc.ts'

const providerEntry = fileURLToPath(new URL('../../src/provider/main.ts', import.meta.url))
const committeeEntry = fileURLToPath(new URL('../../src/committee/main.ts', import.meta.url))

/** A network made the way an operator makes one: `bocc deploy`, then the CLI for everything. */
export type DeployedNetwork = {
  directory: string
  deploymentFile: string
  deployment: Deployment
  /** A customer policy that accepts the simulated TEE running this checkout's runtime. */
  policyFile: string
  /** Key files by dev role (the deployer's holds only the hex key). */
  keys: Record<DevRole, string>
  /** The PaddleOCR solution the model vendor offers, published with `bocc solutions publish`. */
  solutionHash: `0x${string}`
  /** Runs `bocc` with the deployment file and `env` (blob store credentials). */
  bocc(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>
  /** Runs `bocc … --json` and parses its object, failing on a non-zero exit. */
  json(args: string[]): Promise<Record<string, unknown>>
}

/**
 * Deploys with `bocc deploy` to `rpcUrl` (development governance, the dev committee member), funds
 * the dev accounts from the test token's faucet, and has the model vendor publish PaddleOCR into
 * the blob store with the CLI.
 */
export async function deployWithCli(parameters: {
  rpcUrl: string
  directory: string
  blobStore: string
  /** Variables for every command (the S3 endpoint and credentials). */
  env: Record<string, string>
  confirmations?: number
}): Promise<DeployedNetwork> {
  const { directory } = parameters
  const keys = {} as Record<DevRole, string>
  for (const role of Object.keys(devRoles) as DevRole[]) {
    keys[role] = join(directory, `${role}.key.json`)
    await writeKeyFile(keys[role], devPrivateKey(devRoles[role]))
  }
  // The deployer's key as a plain hex file, as many operators keep one.
  keys.deployer = join(directory, 'deployer.key')
  await writeFile(keys.deployer, devPrivateKey(devRoles.deployer), { mode: 0o600 })
  const deploymentFile = join(directory, 'deployment.json')
  const run = (args: string[]) => runBocc(args, { cwd: directory, env: parameters.env })
  const deployed = await run([
    'deploy',
    '--rpc',
    parameters.rpcUrl,
    '--key',
    keys.deployer,
    '--out',
    deploymentFile,
    '--dev-governance',
    '--committee',
    privateKeyToAccount(devPrivateKey(devRoles.committeeMember)).address,
    '--blob-store',
    parameters.blobStore,
    '--confirmations',
    String(parameters.confirmations ?? 1),
    '--timelock-delay',
    '60',
    '--governance-delay',
    '60',
  ])
  if (deployed.code !== 0) throw new Error(`bocc deploy failed: ${deployed.stderr}`)
  if (!deployed.stdout.startsWith('development governance: a 2-of-3 Safe of the public dev keys'))
    throw new Error(
      `bocc deploy did not say its governance is a development one: ${deployed.stdout}`,
    )
  const deployment = await readDeployment(deploymentFile)
  await Promise.all(
    (['provider', 'customer', 'stranger', 'modelVendor'] as const).map(async (role) => {
      const signer = await connectBoccSigner(deployment, devPrivateKey(devRoles[role]))
      await useFaucet(signer, { amount: parseEther('1000') })
    }),
  )
  const policyFile = join(directory, 'customer-policy.json')
  await writeFile(policyFile, `${JSON.stringify(devPolicy(), null, 2)}\n`)
  const bocc = (args: string[]) => run([...args, '--deployment', deploymentFile])
  const json = async (args: string[]) => {
    const result = await bocc([...args, '--json'])
    if (result.code !== 0) throw new Error(`bocc ${args.join(' ')} failed: ${result.stderr}`)
    return JSON.parse(result.stdout) as Record<string, unknown>
  }
  const bundleFile = join(directory, 'paddleocr.bundle')
  await writeFile(bundleFile, packSolutionBundle(paddleOcrSolution()))
  const published = await json([
    'solutions',
    'publish',
    bundleFile,
    '--price',
    '2',
    '--key',
    keys.modelVendor,
  ])
  return {
    directory,
    deploymentFile,
    deployment,
    policyFile,
    keys,
    solutionHash: published.solutionHash as `0x${string}`,
    bocc,
    json,
  }
}

/** A committee member's verifier service (binds 127.0.0.1 of wherever `launcher` runs it). */
export async function startCommittee(
  network: DeployedNetwork,
  options: { rpcUrl?: string; launcher?: readonly string[]; env?: Record<string, string> } = {},
): Promise<Service & { url: string }> {
  let url = ''
  const service = await spawnService<{ event: string; url?: string }>({
    name: 'committee',
    entry: committeeEntry,
    args: [
      '--deployment',
      network.deploymentFile,
      '--allow-sim',
      ...(options.rpcUrl ? ['--rpc', options.rpcUrl] : []),
    ],
    env: { ...options.env, BOCC_COMMITTEE_KEY: devPrivateKey(devRoles.committeeMember) },
    onEvent(event) {
      if (event.event === 'listening' && event.url) url = event.url
    },
    isReady: (event) => event.event === 'listening',
    ...(options.launcher ? { launcher: options.launcher } : {}),
  })
  return { ...service, url }
}

/**
 * A provider daemon with its own configuration, key and state directory, started as the operator
 * would (`src/provider/main.ts --config`), resolving once it serves its offer.
 */
export async function startProvider(
  network: DeployedNetwork,
  options: {
    name: string
    role: DevRole
    committeeUrl: string
    rpcUrl?: string
    blobs?: string
    launcher?: readonly string[]
    env?: Record<string, string>
    onEvent?: (event: ProviderEvent) => void
  },
): Promise<Service & { offerId: number }> {
  const configFile = join(network.directory, `${options.name}.json`)
  const config = {
    version: 1,
    deployment: network.deploymentFile,
    keyFile: network.keys[options.role],
    stateDirectory: join(network.directory, `${options.name}-state`),
    committee: [options.committeeUrl],
    tee: 'sim',
    offer: { price: parseEther('5').toString(), capacity: 2 },
    // More than the market's minimum, as operators should hold: a slash leaves it accepting.
    stake: parseEther('150').toString(),
    confirmations: 1,
    enclave: { orphanSeconds: 60 },
    shutdownGraceSeconds: 5,
    receiptMarginSeconds: 10,
    metrics: false,
    ...(options.rpcUrl ? { rpcUrl: options.rpcUrl } : {}),
    ...(options.blobs ? { blobs: options.blobs } : {}),
  }
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`)
  let offerId = 0
  const service = await spawnService<ProviderEvent>({
    name: 'provider',
    entry: providerEntry,
    args: ['--config', configFile],
    ...(options.env ? { env: options.env } : {}),
    onEvent(event) {
      if (event.event === 'ready') offerId = event.offerId
      options.onEvent?.(event)
    },
    isReady: (event) => event.event === 'ready',
    graceMs: 15_000,
    ...(options.launcher ? { launcher: options.launcher } : {}),
  })
  return { ...service, offerId }
}
