import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { bytesToHex } from 'viem'
import { acceptOrders } from '../../src/chain/actions/market/acceptOrders.ts'
import { createTeeOffer } from '../../src/chain/actions/market/createTeeOffer.ts'
import { createContentKeyStore } from '../../src/client/contentKeyStore.ts'
import { type BoccClient, createBoccClient } from '../../src/client/createBoccClient.ts'
import { type DevNetwork, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import { createSolutionBundle, packSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { boccEnvironment, repositoryRoot } from '../support/runBocc.ts'

const boccEntry = fileURLToPath(new URL('../../src/cli/bocc.ts', import.meta.url))
const clientEntry = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url))

/** The program between the `sdk-example` marker and the end of its code block in docs/sdk.md. */
async function sdkExample(): Promise<string> {
  const doc = await readFile(join(repositoryRoot, 'docs', 'sdk.md'), 'utf8')
  const match = /<!-- sdk-example -->\n```ts\n([\s\S]*?)```/.exec(doc)
  assert.ok(match, 'docs/sdk.md has the sdk-example block')
  return match[1] as string
}

describe('one dev network for the SDK and the owner agent', () => {
  let workspace: string
  let network: DevNetwork
  before(async () => {
    // A workspace as `bocc dev` leaves it: .bocc/dev with its files, the HTTP blob store.
    workspace = await mkdtemp(join(tmpdir(), 'bocc-sdk-'))
    network = await startDevNetwork({
      directory: join(workspace, '.bocc', 'dev'),
      serveBlobs: {},
      onProviderEvent: () => {},
    })
  })
  after(async () => {
    await network.stop()
    await rm(workspace, { recursive: true, force: true })
  })

  describe('the SDK', () => {
    it('runs the program of docs/sdk.md as it is written: orders, waits, decrypts and verifies', async () => {
      const program = (await sdkExample()).replace(`from 'bocc/client'`, `from '${clientEntry}'`)
      assert.equal(program.trim().split('\n').length, 11, 'an import and ten lines')
      await mkdir(join(workspace, 'examples'))
      await cp(
        join(repositoryRoot, 'examples', 'lab-report.png'),
        join(workspace, 'examples', 'lab-report.png'),
      )
      await writeFile(join(workspace, 'order-and-verify.ts'), program)
      const child = spawn(process.execPath, ['order-and-verify.ts'], {
        cwd: workspace,
        env: boccEnvironment({ BOCC_HOME: join(workspace, 'home') }),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      const code = await new Promise((resolve) => child.on('exit', resolve))
      assert.equal(code, 0, stderr)
      assert.match(stdout, /^waiting$/m)
      assert.match(stdout, /NORTHGATE CLINICAL LABORATORY/)
      assert.match(stdout, /verified\n$/)
    })

    it('places ten orders at once from one account: no nonce error, no lost allowance, every result verified', async () => {
      const customer = await createBoccClient({
        deployment: network.deploymentFile,
        account: await readFile(network.keyFiles.customer, 'utf8').then(
          (text) => JSON.parse(text).privateKey,
        ),
        resultKeyDirectory: join(workspace, 'concurrent-keys'),
      })
      const before = await customer.getBalance()
      // A small image keeps the ten OCR jobs quick; what is tested is ordering them all at once.
      const image = new Uint8Array(
        await sharp(
          Buffer.from(
            `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="48"><rect width="100%" height="100%" fill="white"/><text x="12" y="34" font-family="DejaVu Sans" font-size="28">ORDER 42</text></svg>`,
          ),
        )
          .png()
          .toBuffer(),
      )
      const orders = await Promise.all(
        Array.from({ length: 10 }, () =>
          customer.createOrder({
            solutionHash: network.ocr.solutionHash,
            inputs: [{ bytes: image }],
          }),
        ),
      )
      assert.equal(new Set(orders.map((order) => order.orderId)).size, 10)
      const spent = orders.reduce((sum, order) => sum + order.escrow, 0n)
      const after = await customer.getBalance()
      assert.equal(before.wallet + before.available - (after.wallet + after.available), spent)
      await Promise.all(
        orders.map((order) =>
          customer.waitForOrder({ orderId: order.orderId, timeoutMs: 300_000 }),
        ),
      )
      for (const order of orders) {
        const { outputs } = await customer.getResult({ orderId: order.orderId })
        const text = JSON.parse(new TextDecoder().decode(outputs.text))
        assert.ok(
          text.lines.some((line: { text: string }) => /ORDER ?42/.test(line.text)),
          JSON.stringify(text),
        )
        assert.equal((await customer.verifyOrder({ orderId: order.orderId })).ok, true)
      }
    })
  })

  /**
   * Three parties on one order: the customer's input, the model vendor's solution and a data
   * vendor's data set, each paid from the escrow; the data vendor's owner agent releases its key
   * only to an enclave its own policy accepts, for a paid order.
   */
  describe('the owner agent and three-party orders', () => {
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
      await new Promise((resolve) => agent?.once('exit', resolve))
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
        accountPrivateKey: JSON.parse(await readFile(network.keyFiles.dataVendor, 'utf8'))
          .privateKey,
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
        () =>
          events.some((event) => event.event === 'release-refused' && event.orderId === orderId),
        'the refusal',
      )
      const refusal = events.find(
        (event) => event.event === 'release-refused' && event.orderId === orderId,
      )
      assert.match(refusal?.reason ?? '', /simulated TEE/)
      assert.equal((await fetch(`${agentUrl}key-releases/${orderId}`)).status, 404)
      assert.ok(
        !events.some((event) => event.event === 'key-released' && event.orderId === orderId),
      )
    })

    it('watches a solution published encrypted while it runs, and releases its key for a paid order', async () => {
      // The protocol document's test bundle, published encrypted by the vendor the agent serves.
      const bundle = createSolutionBundle(
        {
          name: 'hello',
          version: '1.0.0',
          runner: 'wasm',
          entry: 'main.wasm',
          inputs: [{ name: 'data', maxBytes: 1024 }],
          outputs: [{ name: 'result' }],
          limits: { memoryMiB: 64, timeoutMs: 1000 },
        },
        [{ path: 'main.wasm', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) }],
      )
      const pack = packSolutionBundle(bundle)
      const published = await vendor.publishSolution({
        pack,
        price: 10n ** 18n,
        encrypt: { policy: network.policy },
      })
      assert.equal(published.encrypted, true)
      // What the providers fetch is ciphertext: not the pack.
      const stored = await vendor.blobs.get(published.bundleHash)
      assert.notEqual(bytesToHex(stored), bytesToHex(pack))
      await until(
        () =>
          events.some(
            (event) =>
              event.event === 'watching' &&
              JSON.stringify(event).includes(`"offerId":${published.offerId}`),
          ),
        'the agent to watch the new offer',
      )
      // A TEE offer of the same provider that no provider node serves: this test accepts the order
      // itself, so that it stays accepted (paid) for as long as the test looks.
      const provider = await network.signer('provider')
      const { offerId: idleOffer } = await createTeeOffer(provider, {
        hardware: 0,
        price: 5n * 10n ** 18n,
        capacity: 1,
      })
      const order = await customer.createOrder({
        solutionHash: published.solutionHash,
        inputs: [{ bytes: new TextEncoder().encode('hello') }],
        teeOfferId: idleOffer,
      })
      const orderId = formatOrderId(order.orderId)
      // Not paid yet: nothing is released.
      await new Promise((resolve) => setTimeout(resolve, 1000))
      assert.equal((await fetch(`${agentUrl}key-releases/${orderId}`)).status, 404)
      await acceptOrders(provider, { terms: [order.terms] })
      await until(
        () => events.some((event) => event.event === 'key-released' && event.orderId === orderId),
        'the solution key release',
      )
      const { releases } = await (await fetch(`${agentUrl}key-releases/${orderId}`)).json()
      assert.deepEqual(
        releases.map((release: { kind: string; resourceHash: string }) => [
          release.kind,
          release.resourceHash,
        ]),
        [['solution', published.solutionHash]],
      )
    })
  })
})
