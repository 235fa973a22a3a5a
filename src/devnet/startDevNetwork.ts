import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type Address, type Hex, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { AttestationPolicy } from '../attestation/policy.ts'
import { createSolutionOffer } from '../chain/actions/catalog/createSolutionOffer.ts'
import { useFaucet } from '../chain/actions/token/useFaucet.ts'
import { type BoccSigner, connectBoccSigner } from '../chain/boccChain.ts'
import { connectSigner } from '../chain/connectChain.ts'
import { deployContracts } from '../chain/deployContracts.ts'
import { type Deployment, writeDeployment } from '../chain/deployment.ts'
import { councilRoles, type DevRole, devPrivateKey, devRoles } from '../chain/devAccounts.ts'
import { writeKeyFile } from '../chain/keyFile.ts'
import { type LocalChain, startLocalChain } from '../chain/startLocalChain.ts'
import { spawnCommitteeMember } from '../committee/spawnCommitteeMember.ts'
import { measureRuntime } from '../enclave/measureRuntime.ts'
import { type Service, spawnService } from '../processes/spawnService.ts'
import { publishSolutionBundle, type SolutionBundle } from '../protocol/solutionBundle.ts'
import type { ProviderEvent } from '../provider/providerEvents.ts'
import { type ProviderProcess, spawnProviderDaemon } from '../provider/spawnProviderDaemon.ts'
import { paddleOcrSolution } from '../solutions/paddleocr/paddleOcrSolution.ts'
import { textOrientationSolution } from '../solutions/textorientation/textOrientationSolution.ts'
import { createTinyChatBundle } from '../solutions/tiny-chat/tinyChatSolution.ts'
import { wordCountSolution } from '../solutions/wordcount/wordCountSolution.ts'
import { createFsBlobStore } from '../storage/blobStore.ts'

/** What a development network runs and sells, for people to try BOCC on one machine. */
export type DevNetwork = {
  directory: string
  chain: LocalChain
  deployment: Deployment
  deploymentFile: string
  /** The development policy file: accepts the simulated TEE and this checkout's runtime. */
  policyFile: string
  policy: AttestationPolicy
  blobsDirectory: string
  /** The blob server, when `serveBlobs` asked for one. */
  blobServer?: Service & { url: string }
  committee: Service & { url: string }
  /** The provider daemon's configuration file (docs/operations.md, "Running a provider"). */
  providerConfigFile: string
  provider: ProviderProcess
  /** The OCR solution on sale: its offer, its hash, and its bundle's blob address. */
  ocr: DevSolution
  /** Every solution on sale for orders: OCR, ONNX (text-orientation), WASM (wordcount). */
  solutions: DevSolution[]
  /** `tiny-chat`, a chat model with random weights, on sale for leases. */
  tinyChat: DevSolution
  /** The provider daemon's lease front (ciphertext only), as it published it on-chain. */
  leaseEndpoint: string
  /** Key files of the dev accounts, by role. */
  keyFiles: Record<DevRole, string>
  /** A connected signer for a dev role. */
  signer(role: DevRole): Promise<BoccSigner>
  stop(): Promise<void>
}

export type StartDevNetworkParameters = {
  /** Where the network keeps its files (deployment, policy, keys, blobs). */
  directory: string
  chainPort?: number
  /** Seconds per block; a block per transaction when absent. */
  blockTime?: number
  /** Orders the provider runs at once (its offer's capacity); default 2. */
  providerCapacity?: number
  /**
   * Serve the blob store over HTTP (the BOCC blob server, its own process, on 127.0.0.1) and name
   * that URL in the deployment; a `file://` directory otherwise. The provider reads the directory.
   */
  serveBlobs?: { port?: number }
  /** Called with each step as it starts, for progress. */
  onStep?: (label: string) => void
  /** The provider's lease front's port on 127.0.0.1 (any free one when absent). */
  leasePort?: number
  onProviderEvent?: (event: ProviderEvent) => void
  signal?: AbortSignal
}

/** A solution the model vendor of a dev network offers. */
export type DevSolution = {
  offerId: number
  solutionHash: Hex
  bundleHash: Hex
  /** What it is, in a few words. */
  description: string
}

const teePrice = parseEther('5')

/** The solutions BOCC ships, as a dev network offers them: one per runner. */
type ShippedSolution = {
  description: string
  price: bigint
  bundle: () => SolutionBundle | Promise<SolutionBundle>
}

const shippedSolutions: ShippedSolution[] = [
  {
    description: 'PaddleOCR v4',
    price: parseEther('2'),
    bundle: paddleOcrSolution,
  },
  {
    description:
      'text-orientation: is a line of text upside down? (ONNX; input: textLineTensor.ts IMAGE)',
    price: parseEther('1'),
    bundle: textOrientationSolution,
  },
  {
    description: 'wordcount: lines, words, characters and bytes of a text (WASM)',
    price: parseEther('1'),
    bundle: wordCountSolution,
  },
]

/** A chat model for leases, priced per 1,000 tokens (in the token's smallest unit). */
const tinyChatSolution: ShippedSolution = {
  description: 'tiny-chat: a chat model with random weights, for leases (llm)',
  price: 1n,
  bundle: createTinyChatBundle,
}

/**
 * Starts a development network, step by step: a local chain, the contracts (governed by a 2-of-3
 * dev-key multisig through a timelock), its files (deployment, development policy, dev key files),
 * funded dev accounts, a committee verifier, a model vendor's offers of the solutions BOCC ships
 * (OCR, ONNX and WASM), and a provider node with its (simulated) enclave runtime, which serves
 * them all. The TEE is the only simulated part.
 */
export async function startDevNetwork(parameters: StartDevNetworkParameters): Promise<DevNetwork> {
  const stops: (() => Promise<unknown>)[] = []
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    stops.length = 0
  }
  const step = (label: string) => {
    parameters.signal?.throwIfAborted()
    parameters.onStep?.(label)
  }
  try {
    const { directory } = parameters
    step('starting a local chain (anvil)')
    const chain = await startLocalChain({
      ...(parameters.chainPort === undefined ? {} : { port: parameters.chainPort }),
      ...(parameters.blockTime === undefined ? {} : { blockTime: parameters.blockTime }),
    })
    stops.push(() => chain.stop())

    step(
      'deploying the contracts (allow-list genesis: this runtime; committee: 1 of 1; governance: 2-of-3 multisig)',
    )
    const blobsDirectory = join(directory, 'blobs')
    const deployment = await deployDevContracts(chain.rpcUrl, blobsDirectory)
    let blobServer: (Service & { url: string }) | undefined
    if (parameters.serveBlobs) {
      step('starting the blob server')
      blobServer = await spawnBlobServer(
        blobsDirectory,
        parameters.serveBlobs.port ?? 0,
        parameters.signal,
      )
      stops.push(() => (blobServer as Service).stop())
      deployment.blobStore = blobServer.url
    }
    const files = await writeNetworkFiles(directory, deployment)

    // The committee needs only the deployment: it starts while the accounts are funded and the
    // solutions published (after the funding: the model vendor's transactions must not race).
    step(
      'funding the dev accounts, starting the committee verifier service, and offering PaddleOCR v4, text-orientation (ONNX), wordcount (WASM) and tiny-chat (a chat model with random weights, for leases)',
    )
    const [committee, published] = await Promise.all([
      spawnCommitteeMember({
        deploymentFile: files.deploymentFile,
        privateKey: devPrivateKey(devRoles.committeeMember),
        allowSim: true,
        ...(parameters.signal ? { signal: parameters.signal } : {}),
      }).then((service) => {
        stops.push(() => service.stop())
        return service
      }),
      fundDevAccounts(deployment).then(() =>
        publishShippedSolutions(deployment, blobsDirectory, [
          ...shippedSolutions,
          tinyChatSolution,
        ]),
      ),
    ])
    const solutions = published.slice(0, shippedSolutions.length)
    const tinyChat = published[shippedSolutions.length]

    step('starting the provider node, its enclave runtime and its lease front')
    const providerConfigFile = await writeProviderConfig(
      directory,
      committee.url,
      parameters.providerCapacity ?? 2,
      parameters.leasePort ?? (await anyFreePort()),
    )
    const provider = await spawnProviderDaemon({
      configFile: providerConfigFile,
      onEvent: (event) => parameters.onProviderEvent?.(event),
      ...(parameters.signal ? { signal: parameters.signal } : {}),
    })
    stops.push(() => provider.stop())

    return {
      directory,
      chain,
      deployment,
      ...files,
      blobsDirectory,
      ...(blobServer ? { blobServer } : {}),
      committee,
      providerConfigFile,
      provider,
      ocr: solutions[0] as DevSolution,
      solutions,
      tinyChat: tinyChat as DevSolution,
      leaseEndpoint: provider.leasesUrl as string,
      signer: (role) => connectBoccSigner(deployment, devPrivateKey(devRoles[role])),
      stop: stopAll,
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}

/** The development policy: the simulated TEE, running this checkout's runtime. */
export function devPolicy(): AttestationPolicy {
  return {
    allowSim: true,
    allowedMeasurements: [measureRuntime()],
    maxEvidenceAgeSeconds: 30 * 86_400,
  }
}

async function deployDevContracts(rpcUrl: string, blobsDirectory: string): Promise<Deployment> {
  const deployer = await connectSigner(rpcUrl, devPrivateKey(devRoles.deployer))
  const address = (role: DevRole): Address =>
    privateKeyToAccount(devPrivateKey(devRoles[role])).address
  const deployment = await deployContracts(deployer, {
    // The runtime anyone can rebuild from this source tree: the genesis of the allow-list.
    genesisMeasurements: [measureRuntime()],
    committee: [address('committeeMember')],
    committeeThreshold: 1,
    governanceOwners: councilRoles.map(address),
    governanceThreshold: 2,
    timelockDelaySeconds: 60,
    governanceDelaySeconds: 60,
  })
  return {
    ...deployment,
    blobStore: pathToFileURL(blobsDirectory).href,
    development: { policy: 'policy.json' },
  }
}

async function writeNetworkFiles(directory: string, deployment: Deployment) {
  await mkdir(join(directory, 'keys'), { recursive: true, mode: 0o700 })
  const deploymentFile = join(directory, 'deployment.json')
  const policyFile = join(directory, 'policy.json')
  await writeDeployment(deploymentFile, deployment)
  await writeFile(policyFile, `${JSON.stringify(devPolicy(), null, 2)}\n`)
  const keyFiles = {} as Record<DevRole, string>
  for (const role of Object.keys(devRoles) as DevRole[]) {
    keyFiles[role] = join(directory, 'keys', `${role}.json`)
    await writeKeyFile(keyFiles[role], devPrivateKey(devRoles[role]))
  }
  return { deploymentFile, policyFile, policy: devPolicy(), keyFiles }
}

/**
 * The provider daemon's configuration on this network: the dev provider's key file, its state
 * beside the network's other files, the metrics endpoint on any free port of 127.0.0.1.
 */
async function writeProviderConfig(
  directory: string,
  committeeUrl: string,
  capacity: number,
  leasePort: number,
): Promise<string> {
  const file = join(directory, 'provider.json')
  const config = {
    version: 1,
    deployment: 'deployment.json',
    keyFile: 'keys/provider.json',
    stateDirectory: 'provider-state',
    committee: [committeeUrl],
    tee: 'sim',
    offer: { price: teePrice.toString(), capacity },
    enclave: { orphanSeconds: 60 },
    pollIntervalMs: 50,
    metrics: { host: '127.0.0.1', port: 0 },
    // Published on-chain like a real provider's; settled every second so a person sees it soon.
    leases: {
      host: '127.0.0.1',
      port: leasePort,
      publicUrl: `http://127.0.0.1:${leasePort}/`,
      settleIntervalSeconds: 1,
    },
  }
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`)
  return file
}

async function fundDevAccounts(deployment: Deployment) {
  const roles = ['provider', 'customer', 'stranger', 'modelVendor', 'dataVendor'] as const
  await Promise.all(
    roles.map(async (role) => {
      const signer = await connectBoccSigner(deployment, devPrivateKey(devRoles[role]))
      await useFaucet(signer, { amount: parseEther('1000') })
    }),
  )
}

/** The model vendor publishes each shipped solution as a bundle and offers it by hash. */
async function publishShippedSolutions(
  deployment: Deployment,
  blobsDirectory: string,
  shipped: ShippedSolution[],
): Promise<DevSolution[]> {
  const vendor = await connectBoccSigner(deployment, devPrivateKey(devRoles.modelVendor))
  const blobs = createFsBlobStore(blobsDirectory)
  const solutions: DevSolution[] = []
  for (const solution of shipped) {
    const { solutionHash, bundleHash } = await publishSolutionBundle(blobs, await solution.bundle())
    const { offerId } = await createSolutionOffer(vendor, {
      solutionHash,
      price: solution.price,
      bundleHash,
    })
    solutions.push({ offerId, solutionHash, bundleHash, description: solution.description })
  }
  return solutions
}

/** Starts the BOCC blob server (`src/storage/main.ts`) over the network's blob directory. */
async function spawnBlobServer(
  directory: string,
  port: number,
  signal: AbortSignal | undefined,
): Promise<Service & { url: string }> {
  await mkdir(directory, { recursive: true })
  let url: string | undefined
  const service = await spawnService<{ event: string; url?: string }>({
    name: 'blob server',
    entry: fileURLToPath(new URL('../storage/main.ts', import.meta.url)),
    args: ['--store', pathToFileURL(directory).href, '--port', String(port)],
    onEvent(event) {
      if (event.event === 'listening') url = event.url
    },
    isReady: (event) => event.event === 'listening',
    ...(signal ? { signal } : {}),
  })
  return { ...service, url: url as string }
}

/** The blob store of a dev network (a directory). */
export function devBlobStore(network: Pick<DevNetwork, 'blobsDirectory'>) {
  return createFsBlobStore(network.blobsDirectory)
}

/** A port free on 127.0.0.1 now (the lease front's URL is published before the daemon binds it). */
async function anyFreePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
