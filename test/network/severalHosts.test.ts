import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { connectChain } from '../../src/chain/connectChain.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { type LocalChain, startLocalChain } from '../../src/chain/startLocalChain.ts'
import { type BoccClient, createBoccClient } from '../../src/client/createBoccClient.ts'
import { readPolicyFile } from '../../src/client/customerPolicy.ts'
import { type Service, spawnService } from '../../src/processes/spawnService.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import type { ProviderEvent } from '../../src/provider/providerEvents.ts'
import {
  type DeployedNetwork,
  deployWithCli,
  startCommittee,
  startProvider,
} from '../support/deployedNetwork.ts'
import { repositoryRoot } from '../support/runBocc.ts'

// Three test hosts as network namespaces on one bridge: the chain and the blob server in one, a
// provider (with a committee member beside it, on that host's own loopback) in each of the two
// others, and the customer on the host side. Every address is on this test's own /24, which has
// no route anywhere else; every namespace and link is removed afterwards, also on failure.
const tag = (process.pid % 10_000).toString().padStart(4, '0')
const subnet = `10.77.${(process.pid % 200) + 20}`
const names = {
  chainHost: `bocc${tag}c`,
  providerA: `bocc${tag}a`,
  providerB: `bocc${tag}b`,
}
const address = {
  chain: `${subnet}.1`,
  providerA: `${subnet}.2`,
  providerB: `${subnet}.3`,
  customer: `${subnet}.100`,
}
const links = {
  host: `bh${tag}`,
  hostPeer: `bhp${tag}`,
  providerA: `va${tag}`,
  providerAPeer: `vap${tag}`,
  providerB: `vb${tag}`,
  providerBPeer: `vbp${tag}`,
}
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
const inside = (namespace: string) => ['ip', 'netns', 'exec', namespace] as const

/** Why namespaces cannot be made here, or false when they can. */
function namespacesUnavailable(): string | false {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root, as CI does)'
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 (`ip`) is not installed'
  const probe = `bocc${tag}p`
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' })
  if (added.status !== 0)
    return `\`ip netns add\` is refused here: ${(added.stderr || '').trim().split('\n')[0]}`
  spawnSync('ip', ['netns', 'del', probe])
  return false
}

/** Builds the three hosts; idempotent teardown first, so a failed earlier run leaves nothing. */
function buildHosts() {
  tearDownHosts()
  for (const namespace of Object.values(names)) {
    ip('netns', 'add', namespace)
    ip('-n', namespace, 'link', 'set', 'lo', 'up')
  }
  ip('-n', names.chainHost, 'link', 'add', 'br0', 'type', 'bridge')
  ip('-n', names.chainHost, 'addr', 'add', `${address.chain}/24`, 'dev', 'br0')
  ip('-n', names.chainHost, 'link', 'set', 'br0', 'up')
  const attach = (end: string, peer: string, namespace: string | undefined, own: string) => {
    ip('link', 'add', end, 'type', 'veth', 'peer', 'name', peer)
    ip('link', 'set', peer, 'netns', names.chainHost)
    ip('-n', names.chainHost, 'link', 'set', peer, 'master', 'br0')
    ip('-n', names.chainHost, 'link', 'set', peer, 'up')
    if (namespace) ip('link', 'set', end, 'netns', namespace)
    const where = namespace ? ['-n', namespace] : []
    ip(...where, 'addr', 'add', `${own}/24`, 'dev', end)
    ip(...where, 'link', 'set', end, 'up')
  }
  attach(links.providerA, links.providerAPeer, names.providerA, address.providerA)
  attach(links.providerB, links.providerBPeer, names.providerB, address.providerB)
  attach(links.host, links.hostPeer, undefined, address.customer)
}

/** Stops what still runs in the test's namespaces (processes this test started), then removes them. */
function tearDownHosts() {
  for (const namespace of Object.values(names)) {
    const pids = spawnSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' })
    for (const pid of (pids.stdout ?? '').split('\n').filter((line) => /^\d+$/.test(line)))
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {}
    spawnSync('ip', ['netns', 'del', namespace])
  }
  // Deleting the chain host's namespace removes the veth pairs; this catches a half-built one.
  for (const link of [links.host, links.providerA, links.providerB])
    spawnSync('ip', ['link', 'del', link], { stdio: 'ignore' })
}

const unavailable = namespacesUnavailable()

describe('providers on several hosts (network namespaces)', {
  skip: unavailable,
  timeout: 420_000,
}, () => {
  let directory: string
  let chain: LocalChain
  let network: DeployedNetwork
  let customer: BoccClient
  const services: Service[] = []
  const providerOffers: Record<'a' | 'b', number> = { a: 0, b: 0 }
  const jobsStartedOnB: string[] = []
  const onJobStartedOnB: ((orderId: string, refusal?: string) => void)[] = []

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-hosts-'))
    // Even when the run is cut short, no namespace or link outlives it.
    process.once('exit', tearDownHosts)
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => {
        tearDownHosts()
        process.exit(1)
      })
    try {
      buildHosts()
      chain = await startLocalChain({
        host: address.chain,
        blockTime: 1,
        launcher: inside(names.chainHost),
      })
      const blobsDirectory = join(directory, 'chain-host-blobs')
      await mkdir(blobsDirectory)
      let blobsUrl = ''
      services.push(
        await spawnService<{ event: string; url?: string }>({
          name: 'blob server',
          entry: fileURLToPath(new URL('../../src/storage/main.ts', import.meta.url)),
          args: [
            '--store',
            pathToFileURL(blobsDirectory).href,
            '--host',
            address.chain,
            '--port',
            '0',
          ],
          onEvent(event) {
            if (event.event === 'listening' && event.url) blobsUrl = event.url
          },
          isReady: (event) => event.event === 'listening',
          launcher: inside(names.chainHost),
        }),
      )
      network = await deployWithCli({
        rpcUrl: chain.rpcUrl,
        directory,
        blobStore: blobsUrl,
        env: {},
      })
      for (const [host, role] of [
        ['a', 'provider'],
        ['b', 'stranger'],
      ] as const) {
        const launcher = inside(host === 'a' ? names.providerA : names.providerB)
        const committee = await startCommittee(network, { launcher })
        services.push(committee)
        const provider = await startProvider(network, {
          name: `provider-${host}`,
          role,
          committeeUrl: committee.url,
          launcher,
          onEvent(event: ProviderEvent) {
            if (process.env.BOCC_TEST_DEBUG)
              console.error(host, new Date().toISOString(), JSON.stringify(event))
            if (host === 'b' && event.event === 'job-started') {
              jobsStartedOnB.push(event.orderId)
              for (const listener of onJobStartedOnB) listener(event.orderId)
            }
            if (host === 'b' && event.event === 'order-refused')
              for (const listener of onJobStartedOnB) listener(event.orderId, event.reason)
          },
        })
        services.push(provider)
        providerOffers[host] = provider.offerId
      }
      customer = await createBoccClient({
        deployment: network.deploymentFile,
        account: devPrivateKey(devRoles.customer),
        policy: await readPolicyFile(network.policyFile),
        resultKeyDirectory: join(directory, 'result-keys'),
      })
    } catch (error) {
      await stopAll()
      throw error
    }
  })

  async function stopAll() {
    for (const service of services.reverse()) await service.stop().catch(() => {})
    services.length = 0
    await chain?.stop().catch(() => {})
    tearDownHosts()
  }
  after(async () => {
    await stopAll()
    await rm(directory, { recursive: true, force: true })
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout
    for (const namespace of Object.values(names))
      assert.ok(!left.includes(namespace), `namespace ${namespace} was removed`)
  })

  const labReport = join(repositoryRoot, 'examples', 'lab-report.png')
  const order = (
    teeOfferId: number,
    window?: { acceptWithinSeconds: number; deliverWithinSeconds: number },
  ) =>
    customer.createOrder({
      solutionHash: network.solutionHash,
      inputs: [{ path: labReport }],
      teeOfferId,
      ...window,
    })

  it('each host’s provider serves the orders placed on its offer', async () => {
    const [onA, onB] = await Promise.all([order(providerOffers.a), order(providerOffers.b)])
    for (const placed of [onA, onB]) {
      const done = await customer.waitForOrder({ orderId: placed.orderId, timeoutMs: 120_000 })
      assert.equal(done.status, 'completed')
      const { outputs } = await customer.getResult({ orderId: placed.orderId })
      assert.ok(new TextDecoder().decode(outputs.text).length > 0)
    }
  })

  it('a provider whose link is cut mid-job: its order ends by the rules, the other host serves on', async () => {
    let cutId = ''
    const jobStarted = new Promise<void>((resolve, reject) =>
      onJobStartedOnB.push((orderId, refusal) => {
        if (orderId !== cutId) return
        if (refusal) reject(new Error(`provider B refused the order: ${refusal}`))
        else resolve()
      }),
    )
    const cut = await order(providerOffers.b, { acceptWithinSeconds: 10, deliverWithinSeconds: 40 })
    cutId = formatOrderId(cut.orderId)
    if (!jobsStartedOnB.includes(cutId)) await jobStarted
    ip('-n', names.providerB, 'link', 'set', links.providerB, 'down')

    // The other host is untouched.
    const onA = await order(providerOffers.a)
    assert.equal(
      (await customer.waitForOrder({ orderId: onA.orderId, timeoutMs: 120_000 })).status,
      'completed',
    )

    // Provider B cannot deliver: once the deadline passes, anyone may refund the customer.
    const deadline = Number(cut.terms.deadline)
    let record = await customer.getOrder({ orderId: cut.orderId })
    if (record.status !== 'completed') {
      const client = (await connectChain(chain.rpcUrl)).publicClient
      while (Number((await client.getBlock({ blockTag: 'latest' })).timestamp) <= deadline)
        await new Promise((resolve) => setTimeout(resolve, 1000))
      const refunded = await network.json([
        'orders',
        'refund',
        cutId,
        '--key',
        network.keys.customer,
      ])
      assert.equal(refunded.status, 'refunded')
      assert.equal(
        refunded.refund !== null && BigInt(refunded.refund as string) >= cut.escrow,
        true,
      )
      record = await customer.getOrder({ orderId: cut.orderId })
    }
    assert.ok(['completed', 'refunded'].includes(record.status), record.status)

    // Back on the network, provider B takes in the chain's verdict and serves new orders.
    ip('-n', names.providerB, 'link', 'set', links.providerB, 'up')
    const afterwards = await order(providerOffers.b)
    assert.equal(
      (await customer.waitForOrder({ orderId: afterwards.orderId, timeoutMs: 120_000 })).status,
      'completed',
    )
  })
})

if (unavailable) console.log(`# several hosts: skipped, ${unavailable}`)
