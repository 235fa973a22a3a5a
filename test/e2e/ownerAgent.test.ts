import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { bytesToHex } from 'viem'
import { createContentKeyStore } from '../../src/client/contentKeyStore.ts'
import { type BoccClient, createBoccClient } from '../../src/client/createBoccClient.ts'
import { type DevNetwork, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import { boccEnvironment, repositoryRoot } from '../support/runBocc.ts'

const boccEntry = fileURLToPath(new URL('../../src/cli/bocc.ts', import.meta.url))

/**
 * Three parties on one order: the customer's input, the model vendor's solution and a data
 * vendor's data set, each paid from the escrow; the data vendor's owner agent releases its key
 * only to an enclave its own policy accepts, for a paid order.
 */
describe('the owner agent and three-party orders', () => {
  let workspace: string
  let network: DevNetwork
  let agent: ChildProcess
  let agentUrl: string
  const events: { event: string; orderId?: string; reason?: string }[] = []
  let customer: BoccClient
  let vendor: BoccClient
  let modelVendor: BoccClient
  let acceptedOffer: number
  let refusingOffer: number

  const clientOf = async (role: 'customer' | 'dataVendor' | 'modelVendor') =>
    createBoccClient({
      deployment: network.deploymentFile,
      account: JSON.parse(await readFile(network.keyFiles[role], 'utf8')).privateKey,
      resultKeyDirectory: join(workspace, 'home', 'result-keys'),
      contentKeyDirectory: join(workspace, 'home', 'owner-keys'),
    })
  const image = () => readFile(join(repositoryRoot, 'examples', 'lab-report.png'))
  const until = async (what: () => boolean, label: string) => {
    for (let tries = 0; tries < 600 && !what(); tries++)
      await new Promise((resolve) => setTimeout(resolve, 100))
    assert.ok(what(), `timed out waiting for ${label}: ${JSON.stringify(events)}`)
  }

  before(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'bocc-owner-'))
    network = await startDevNetwork({
      directory: join(workspace, 'dev'),
      serveBlobs: {},
      onProviderEvent: () => {},
    })
    ;[customer, vendor, modelVendor] = await Promise.all([
      clientOf('customer'),
      clientOf('dataVendor'),
      clientOf('modelVendor'),
    ])
    // Two data sets: one whose release policy accepts this network's (simulated) enclave, one
    // whose policy asks for real hardware.
    const records = join(workspace, 'records.csv')
    await writeFile(records, 'patient,glucose\n1,5.4\n')
    acceptedOffer = (
      await vendor.publishData({
        source: { path: records },
        price: 3n * 10n ** 18n,
        policy: network.policy,
      })
    ).offerId
    refusingOffer = (
      await vendor.publishData({
        source: { bytes: new TextEncoder().encode('patient,glucose\n2,6.1\n') },
        price: 3n * 10n ** 18n,
        policy: { allowSim: false, allowedMeasurements: [] },
      })
    ).offerId
    const config = join(workspace, 'owner.json')
    await writeFile(
      config,
      JSON.stringify({ deployment: network.deploymentFile, key: network.keyFiles.dataVendor }),
    )
    agent = spawn(process.execPath, [boccEntry, 'owner', 'serve', '--config', config, '--json'], {
      env: boccEnvironment({ BOCC_HOME: join(workspace, 'home') }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    agent.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const lines = output.split('\n')
      output = lines.pop() ?? ''
      for (const line of lines) events.push(JSON.parse(line))
    })
    await until(() => events.some((event) => event.event === 'listening'), 'the agent')
    agentUrl = (events.find((event) => event.event === 'listening') as unknown as { url: string })
      .url
  })
  after(async () => {
    agent?.kill('SIGINT')
    await network?.stop()
    await rm(workspace, { recursive: true, force: true })
  })

  it('watches the vendor’s offers whose keys it keeps', () => {
    const watching = events.find((event) => event.event === 'watching') as unknown as {
      resources: { kind: string; offerId: number }[]
    }
    assert.deepEqual(
      watching.resources.map((resource) => [resource.kind, resource.offerId]),
      [
        ['data', acceptedOffer],
        ['data', refusingOffer],
      ],
    )
  })

  it('releases the data key, sealed to the enclave, for a paid order, and the escrow pays all three parties', async () => {
    const before = await Promise.all([vendor.getBalance(), modelVendor.getBalance()])
    const order = await customer.createOrder({
      solutionHash: network.ocr.solutionHash,
      inputs: [{ bytes: new Uint8Array(await image()) }],
      dataOfferIds: [acceptedOffer],
    })
    assert.equal(order.terms.dataPrice, 3n * 10n ** 18n)
    const orderId = formatOrderId(order.orderId)
    await until(
      () => events.some((event) => event.event === 'key-released' && event.orderId === orderId),
      'the release',
    )
    const answer = await fetch(`${agentUrl}key-releases/${orderId}`)
    assert.equal(answer.status, 200)
    const body = await answer.text()
    const { releases } = JSON.parse(body)
    assert.equal(releases.length, 1)
    assert.equal(releases[0].kind, 'data')
    assert.equal(releases[0].enclave, order.terms.enclave)
    assert.match(releases[0].release.enc, /^0x[0-9a-f]{64}$/)
    // The release is ciphertext: the key itself is nowhere in what the agent serves.
    const { key } = await createContentKeyStore({
      chainId: network.deployment.chainId,
      market: network.deployment.contracts.market,
      accountPrivateKey: JSON.parse(await readFile(network.keyFiles.dataVendor, 'utf8')).privateKey,
      directory: join(workspace, 'home', 'owner-keys'),
    }).load({ kind: 'data', contentHash: order.terms.dataHash })
    assert.ok(!body.includes(bytesToHex(key).slice(2)))

    await customer.waitForOrder({ orderId: order.orderId, timeoutMs: 120_000 })
    const after = await Promise.all([vendor.getBalance(), modelVendor.getBalance()])
    assert.equal(after[0].pending - (before[0].pending ?? 0n), order.terms.dataPrice)
    assert.equal(after[1].pending - (before[1].pending ?? 0n), order.terms.solutionPrice)
  })

  it('refuses an enclave its policy does not accept: no key leaves the vendor', async () => {
    const order = await customer.createOrder({
      solutionHash: network.ocr.solutionHash,
      inputs: [{ bytes: new Uint8Array(await image()) }],
      dataOfferIds: [refusingOffer],
    })
    const orderId = formatOrderId(order.orderId)
    await until(
      () => events.some((event) => event.event === 'release-refused' && event.orderId === orderId),
      'the refusal',
    )
    const refusal = events.find(
      (event) => event.event === 'release-refused' && event.orderId === orderId,
    )
    assert.match(refusal?.reason ?? '', /simulated TEE/)
    assert.equal((await fetch(`${agentUrl}key-releases/${orderId}`)).status, 404)
    assert.ok(!events.some((event) => event.event === 'key-released' && event.orderId === orderId))
  })
})
