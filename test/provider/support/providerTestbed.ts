import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Address, createTestClient, http, parseEther } from 'viem'
import { getOrderState } from '../../../src/chain/actions/market/getOrderState.ts'
import type { BoccSigner } from '../../../src/chain/boccChain.ts'
import type { ProtocolSettings } from '../../../src/chain/deployContracts.ts'
import { writeDeployment } from '../../../src/chain/deployment.ts'
import { type DevRole, devPrivateKey, devRoles } from '../../../src/chain/devAccounts.ts'
import { writeKeyFile } from '../../../src/chain/keyFile.ts'
import type { OrderStatusName } from '../../../src/chain/orderStatus.ts'
import type { StartLocalChainParameters } from '../../../src/chain/startLocalChain.ts'
import { type PlacedOrder, placeOrder } from '../../../src/client/placeOrder.ts'
import { type VerifiedEnclave, verifyEnclave } from '../../../src/client/verifyEnclave.ts'
import { devPolicy } from '../../../src/devnet/startDevNetwork.ts'
import { publishSolutionBundle } from '../../../src/protocol/solutionBundle.ts'
import type { ProviderEvent } from '../../../src/provider/providerEvents.ts'
import {
  type ProviderProcess,
  spawnProviderDaemon,
} from '../../../src/provider/spawnProviderDaemon.ts'
import { paddleOcrSolution } from '../../../src/solutions/paddleocr/paddleOcrSolution.ts'
import { type BlobStore, createFsBlobStore } from '../../../src/storage/blobStore.ts'
import { type LocalProtocol, startLocalProtocol } from '../../support/localProtocol.ts'
import { marketLedger } from '../../support/marketLedger.ts'

export const labReport = await readFile('examples/lab-report.png').then(
  (bytes) => new Uint8Array(bytes),
)

/** A running provider daemon (a real process) and everything it logged. */
export type DaemonRun = ProviderProcess & {
  events: ProviderEvent[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the first event (from now on, or already logged if `past`) that matches. */
  waitFor(
    match: (event: ProviderEvent) => boolean,
    options?: { timeoutMs?: number; past?: boolean },
  ): Promise<ProviderEvent>
  kill9(): Promise<void>
}

/**
 * A chain with BOCC deployed (a development network: the daemon's test crash points work), a
 * blob directory, and helpers to run provider daemons on it as real processes, place orders as
 * customers, and account for every token the market holds.
 */
export async function startProviderTestbed(
  settings: Partial<ProtocolSettings> = {},
  chainParameters: StartLocalChainParameters = {},
) {
  const dev = await startLocalProtocol(settings, chainParameters)
  const directory = await mkdtemp(join(tmpdir(), 'bocc-daemon-'))
  const blobsDirectory = join(directory, 'blobs')
  const blobs = createFsBlobStore(blobsDirectory)
  // The OCR solution every order here runs, published as a bundle the providers fetch.
  const ocr = await publishSolutionBundle(blobs, paddleOcrSolution())
  const deployment = {
    ...dev.deployment,
    blobStore: pathToFileURL(blobsDirectory).href,
    development: { policy: 'policy.json' },
  }
  const deploymentFile = join(directory, 'deployment.json')
  await writeDeployment(deploymentFile, deployment)
  await writeFile(join(directory, 'policy.json'), JSON.stringify(devPolicy()))
  await mkdir(join(directory, 'keys'), { mode: 0o700 })
  const testClient = createTestClient({ mode: 'anvil', transport: http(dev.chain.rpcUrl) })
  const hostPids = new Set<number>()
  const runs: DaemonRun[] = []
  const policy = devPolicy()

  return {
    dev,
    directory,
    blobs,
    ocr,
    deploymentFile,
    testClient,

    /** Writes a daemon configuration for the dev account `role`; returns its path. */
    async writeConfig(role: DevRole, overrides: Record<string, unknown> = {}): Promise<string> {
      const keyFile = join(directory, 'keys', `${role}.json`)
      await writeKeyFile(keyFile, devPrivateKey(devRoles[role])).catch(() => undefined)
      const file = join(directory, `${role}.config.json`)
      const config = {
        version: 1,
        deployment: 'deployment.json',
        keyFile: `keys/${role}.json`,
        stateDirectory: `${role}-state`,
        committee: [dev.committee.url],
        offer: { price: parseEther('2').toString(), capacity: 2 },
        receiptMarginSeconds: 10,
        enclave: { orphanSeconds: 30 },
        metrics: { host: '127.0.0.1', port: 0 },
        pollIntervalMs: 100,
        ...overrides,
      }
      await writeFile(file, JSON.stringify(config, null, 2))
      return file
    },

    /** Starts a daemon process; resolves once it serves its offer. */
    async startDaemon(configFile: string, env: Record<string, string> = {}): Promise<DaemonRun> {
      const events: ProviderEvent[] = []
      const listeners = new Set<(event: ProviderEvent) => void>()
      const onEvent = (event: ProviderEvent) => {
        events.push(event)
        if (event.event === 'enclave-started') hostPids.add(event.hostPid)
        if (event.event === 'enclave-reattached') hostPids.add(event.hostPid)
        for (const listener of listeners) listener(event)
      }
      const service = await spawnProviderDaemon({ configFile, env, onEvent, graceMs: 30_000 })
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => {
          if (service.process.exitCode !== null || service.process.signalCode !== null)
            resolve({ code: service.process.exitCode, signal: service.process.signalCode })
          service.process.once('exit', (code, signal) => resolve({ code, signal }))
        },
      )
      const run: DaemonRun = {
        ...service,
        events,
        exited,
        waitFor(match, options = {}) {
          if (options.past) {
            const found = events.find(match)
            if (found) return Promise.resolve(found)
          }
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              listeners.delete(listener)
              reject(
                new Error(
                  `the daemon did not log the awaited event in time; its last events: ${events
                    .slice(-12)
                    .map((event) => JSON.stringify(event))
                    .join('\n')}`,
                ),
              )
            }, options.timeoutMs ?? hangGuardMs)
            const listener = (event: ProviderEvent) => {
              if (!match(event)) return
              clearTimeout(timer)
              listeners.delete(listener)
              resolve(event)
            }
            listeners.add(listener)
          })
        },
        async kill9() {
          service.process.kill('SIGKILL')
          await exited
        },
      }
      runs.push(run)
      return run
    },

    /** The customer checks the enclave as any customer would. */
    verify(customer: BoccSigner, enclave: Address): Promise<VerifiedEnclave> {
      return verifyEnclave(customer, { enclave, blobs, policy })
    },

    /** Orders OCR of the lab report from `enclave` on `offerId`. */
    order(
      customer: BoccSigner,
      enclave: VerifiedEnclave,
      offerId: number,
      options: {
        store?: BlobStore
        acceptWithinSeconds?: number
        deliverWithinSeconds?: number
      } = {},
    ): Promise<PlacedOrder> {
      return placeOrder(customer, {
        blobs: options.store ?? blobs,
        teeOfferId: offerId,
        solutionOfferId: 0,
        enclave,
        solutionHash: ocr.solutionHash,
        solutionBundleHash: ocr.bundleHash,
        inputs: [{ bytes: labReport }],
        ...(options.acceptWithinSeconds
          ? { acceptWithinSeconds: options.acceptWithinSeconds }
          : {}),
        ...(options.deliverWithinSeconds
          ? { deliverWithinSeconds: options.deliverWithinSeconds }
          : {}),
      })
    },

    /** Waits until the order's on-chain status is one of `statuses`. */
    async waitForStatus(
      orderId: bigint,
      statuses: OrderStatusName[],
      timeoutMs = hangGuardMs,
    ): Promise<OrderStatusName> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const { status } = await getOrderState(dev.signers.deployer, { orderId })
        if (statuses.includes(status)) return status
        if (Date.now() > deadline)
          throw new Error(`order ${orderId} is ${status}, not ${statuses.join(' or ')}`)
        await new Promise((resolve) => setTimeout(resolve, 150))
      }
    },

    /**
     * Every token the market holds, accounted for (`marketLedger`) over every dev account and the
     * fee receiver. Returns both sides.
     */
    tokenTotals(orders: PlacedOrder[]) {
      return marketLedger(dev.signers.deployer, {
        accounts: [
          ...Object.values(dev.signers).map((signer) => signer.account.address),
          dev.deployment.contracts.timelock,
        ],
        orders,
      })
    },

    async stop() {
      try {
        // To see what the daemons did: BOCC_TEST_DAEMON_LOG=FILE.
        if (process.env.BOCC_TEST_DAEMON_LOG)
          await writeFile(
            process.env.BOCC_TEST_DAEMON_LOG,
            runs
              .map((run) => run.events.map((event) => JSON.stringify(event)).join('\n'))
              .join('\n----\n'),
          )
        // A daemon that fails to stop cleanly is stopped still, and the rest with it.
        for (const run of runs)
          if (run.process.exitCode === null)
            await run.stop().catch(() => run.process.kill('SIGKILL'))
        for (const pid of hostPids)
          try {
            process.kill(pid, 'SIGTERM')
          } catch {}
        await dev.stop()
      } finally {
        // Whatever failed above, the daemons' directory (state, sockets, blobs) goes.
        await rm(directory, { recursive: true, force: true })
      }
    },
  }
}

/**
 * How long a wait may last before the test calls it a hang. A guard, not an expectation of speed:
 * the machine may be shared and loaded, and nothing here waits on a clock to decide an outcome.
 */
const hangGuardMs = 240_000

export type ProviderTestbed = Awaited<ReturnType<typeof startProviderTestbed>>
export type { LocalProtocol }

/** The pids of a process's children (the enclave runtime under its host). */
export function childPids(pid: number): number[] {
  const found = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
  return found.stdout.split('\n').filter(Boolean).map(Number)
}
