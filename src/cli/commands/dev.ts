import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { formatEther } from 'viem'
import { decodeDeployment } from '../../chain/deployment.ts'
import { devPrivateKey, devRoles } from '../../chain/devAccounts.ts'
import { type DevNetwork, startDevNetwork } from '../../devnet/startDevNetwork.ts'
import { BoccError } from '../../errors.ts'
import { isProcessRunning } from '../../processes/isProcessRunning.ts'
import type { ProviderEvent } from '../../provider/providerEvents.ts'
import { type RunningExplorer, startExplorer } from '../../web/startExplorer.ts'
import { addExamples } from '../networkOptions.ts'
import { readConfigFile, workspaceConfigPath } from '../settings.ts'
import { UsageError } from '../usage.ts'

export function define(command: Command) {
  command
    .option('--dir <dir>', 'where the network keeps its files', join('.bocc', 'dev'))
    .option('--chain-port <port>', 'the chain’s RPC port on 127.0.0.1 (default: any free one)')
    .option('--blobs-port <port>', 'the blob server’s port on 127.0.0.1 (default: any free one)')
    .option(
      '--explorer-port <port>',
      'the web explorer’s port on 127.0.0.1 (default: any free one)',
    )
    .option(
      '--no-defaults',
      'do not make this network the default of commands run in this directory (.bocc/config.json)',
    )
  command.addHelpText(
    'after',
    `
Starts a chain (anvil), the contracts, a committee verifier, a blob server, a provider with its
enclave runtime (TEE simulated) and the web explorer (whose pages may order as the dev customer),
and keeps them up until Ctrl-C. It writes DIR/deployment.json, a
development policy that accepts the simulated TEE, and funded dev key files in DIR/keys/, and
(unless --no-defaults) .bocc/config.json here, so that commands run in this directory use the
network and the customer key with no flag. A restart on the same DIR starts afresh.`,
  )
  addExamples(command, 'bocc dev', 'bocc dev --dir /tmp/bocc-dev --chain-port 8545 --no-defaults')
}

/** What a dev network directory holds that says it is one (and may be started afresh). */
const pidFileName = 'bocc-dev.pid'

/**
 * `bocc dev`: a development network that stays up until Ctrl-C, with its files in one directory,
 * printed as `name: value` lines a person and a script can read.
 */
export async function run(options: {
  dir: string
  chainPort?: string
  blobsPort?: string
  explorerPort?: string
  defaults: boolean
}): Promise<number> {
  const chainPort = portOption(options.chainPort, '--chain-port')
  const blobsPort = portOption(options.blobsPort, '--blobs-port')
  const explorerPort = portOption(options.explorerPort, '--explorer-port')
  const directory = resolve(options.dir)
  await prepareDirectory(directory)

  const interruption = new AbortController()
  const stopRequested = new Promise<void>((resolveStop) => {
    const onSignal = () => {
      interruption.abort()
      resolveStop()
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
  let network: DevNetwork | undefined
  let explorer: RunningExplorer | undefined
  let wroteDefaults: string | undefined
  try {
    network = await Promise.race([
      startDevNetwork({
        directory,
        chainPort,
        serveBlobs: { port: blobsPort },
        signal: interruption.signal,
        onStep: (label) => console.log(`▸ ${label}`),
        onProviderEvent: reportProviderEvent,
      }),
      stopRequested.then(() => {
        throw new BoccError('interrupted; everything was shut down')
      }),
    ])
    explorer = await startExplorer({
      deploymentFile: network.deploymentFile,
      devKeys: { customer: devPrivateKey(devRoles.customer) },
      port: explorerPort,
    })
    await writeFile(join(directory, pidFileName), `${process.pid}\n`)
    if (options.defaults) wroteDefaults = await writeWorkspaceDefaults(network)
    printNetwork(network, explorer, wroteDefaults)
    await stopRequested
    console.log('stopping…')
    return 0
  } finally {
    await explorer?.close()
    await network?.stop()
    await rm(join(directory, pidFileName), { force: true })
    if (wroteDefaults) await rm(wroteDefaults, { force: true })
  }
}

function portOption(text: string | undefined, flag: string): number {
  if (text === undefined) return 0
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`${flag} must be a port number`)
  return port
}

/**
 * A directory is started afresh only if it is empty or holds an earlier dev network (whose chain
 * lived in memory and is gone); one a running `bocc dev` uses, or any other, is refused.
 */
async function prepareDirectory(directory: string) {
  if (!existsSync(directory)) return
  const entries = await readdir(directory)
  if (entries.length === 0) return
  const pidFile = join(directory, pidFileName)
  if (existsSync(pidFile)) {
    const pid = Number((await readFile(pidFile, 'utf8')).trim())
    if (Number.isInteger(pid) && pid > 0 && isProcessRunning(pid))
      throw new BoccError(`a bocc dev (process ${pid}) is running on ${directory}; stop it first`)
  }
  const deploymentFile = join(directory, 'deployment.json')
  let isDevNetwork = false
  try {
    isDevNetwork = !!decodeDeployment(await readFile(deploymentFile, 'utf8')).development
  } catch {
    isDevNetwork = false
  }
  if (!isDevNetwork)
    throw new UsageError(
      `${directory} exists and does not hold a bocc dev network; give another --dir`,
    )
  console.log(`${directory} held an earlier dev network, whose chain is gone: starting afresh`)
  await rm(directory, { recursive: true, force: true })
}

/**
 * Makes the network the default of commands run in this directory: `.bocc/config.json` names its
 * deployment and the customer key (paths relative to the file). A config file this command did
 * not write is left alone: its settings stay the user's.
 */
async function writeWorkspaceDefaults(network: DevNetwork): Promise<string | undefined> {
  const path = workspaceConfigPath()
  if (existsSync(path)) {
    const existing = await readConfigFile(path).catch(() => ({ writtenBy: undefined }))
    if (existing.writtenBy !== 'bocc dev') {
      console.log(`kept ${path}, which bocc dev did not write: its settings come first`)
      return undefined
    }
  }
  await mkdir(dirname(path), { recursive: true })
  const from = dirname(path)
  const config = {
    writtenBy: 'bocc dev',
    deployment: relative(from, network.deploymentFile),
    key: relative(from, network.keyFiles.customer),
  }
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`)
  return path
}

const sampleImage = fileURLToPath(new URL('../../../examples/lab-report.png', import.meta.url))

function printNetwork(
  network: DevNetwork,
  explorer: RunningExplorer,
  defaults: string | undefined,
) {
  const lines: [string, string][] = [
    ['explorer', explorer.url],
    ['deployment', network.deploymentFile],
    ['rpc', network.chain.rpcUrl],
    ['blob store', network.deployment.blobStore ?? network.blobsDirectory],
    ['policy', `${network.policyFile} (accepts the simulated TEE)`],
    ...Object.entries(network.keyFiles).map(
      ([role, file]) => ['key', `${role} ${file}`] as [string, string],
    ),
    ['tee offer', `${network.provider.offerId} (enclave ${network.provider.enclave})`],
    ...network.solutions.map(
      (solution) =>
        [
          'solution',
          `${solution.solutionHash} ${solution.description} (solution offer ${solution.offerId})`,
        ] as [string, string],
    ),
    [
      'chat model',
      `${network.tinyChat.solutionHash} tiny-chat (solution offer ${network.tinyChat.offerId})`,
    ],
    ['lease endpoint', network.leaseEndpoint],
  ]
  if (defaults) lines.push(['defaults', `${defaults} (this network and the customer key)`])
  console.log('')
  for (const [name, value] of lines) console.log(`${name}: ${value}`)
  const image = relative(process.cwd(), sampleImage) || sampleImage
  const flags = defaults
    ? ''
    : ` --deployment ${network.deploymentFile} --key ${network.keyFiles.customer}`
  console.log(`
Place a first order from another terminal${defaults ? ' in this directory' : ''}:
  bocc offers list${flags}
  bocc orders create --solution ${network.ocr.solutionHash} --input ${image} --wait${flags}
  bocc orders result ORDER_ID --out text.json${flags}
  bocc verify order ORDER_ID${flags}

Or lease the chat model and serve it as an OpenAI-compatible API on this machine:
  bocc leases open --solution ${network.tinyChat.solutionHash} --json${flags}
  bocc proxy --lease LEASE_ID --port 8080${flags}

ready; Ctrl-C stops the network`)
}

function reportProviderEvent(event: ProviderEvent) {
  const short = (id: string) => `${id.slice(0, 10)}…`
  if (event.event === 'staked')
    console.log(`    provider staked ${formatEther(BigInt(event.amount))} tBOCC`)
  if (event.event === 'orders-accepted')
    console.log(`provider: accepted ${event.orderIds.map(short).join(', ')}`)
  if (event.event === 'receipts-accepted') console.log('provider: receipt accepted on-chain')
  if (event.event === 'failure-submitted')
    console.log(`provider: order ${short(event.orderId)} failed in the enclave: ${event.reason}`)
  if (event.event === 'order-failed')
    console.log(`provider: order ${short(event.orderId)} failed: ${event.error}`)
  if (event.event === 'warning') console.log(`provider: ${event.message}`)
}
