import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Browser, chromium, type Page } from 'playwright-core'
import { bytesToHex, type Hex } from 'viem'
import { checkTiers } from '../../src/attestation/checks.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { auditOrder } from '../../src/client/auditOrder.ts'
import { fetchResult } from '../../src/client/fetchResult.ts'
import { exportHpkePrivateKey } from '../../src/crypto/hpke.ts'
import { devBlobStore } from '../../src/devnet/startDevNetwork.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import { createBlobServer } from '../../src/storage/blobServer.ts'
import type { BlobStore } from '../../src/storage/blobStore.ts'
import { type RunningServer, serveFetch } from '../../src/storage/startBlobServer.ts'
import { buildExplorer } from '../../src/web/buildExplorer.ts'
import { startExplorer } from '../../src/web/startExplorer.ts'
import { chromiumLaunchOptions, skipWithoutChromium } from '../support/chromium.ts'
import { type ExplorerNetwork, sampleImagePath, startExplorerNetwork } from './explorerNetwork.ts'

/**
 * The explorer in headless Chromium against a development network with real orders: every page,
 * the full verification run in the page, a lying blob store caught in the page, a result decrypted
 * in the page, an order placed through the dev key and followed to its end, a static build, and
 * no request to any host but the page's own, the RPC and the blob store.
 */
describe('web explorer (headless Chromium, dev network)', { skip: skipWithoutChromium }, () => {
  let net: ExplorerNetwork
  let browser: Browser
  let screenshots: string
  const requestedOrigins = new Set<string>()
  /** The page's own origins and the RPC and blob stores the tests point pages at. */
  const pointedAt = new Set<string>()
  const pointAt = (url: string) => pointedAt.add(new URL(url).origin)
  const pageErrors: string[] = []

  before(async () => {
    screenshots = await mkdtemp(join(tmpdir(), 'bocc-explorer-screenshots-'))
    ;[net, browser] = await Promise.all([
      startExplorerNetwork(),
      chromium.launch(chromiumLaunchOptions),
    ])
    pointAt(net.explorer.url)
    pointAt(net.network.chain.rpcUrl)
  })
  after(async () => {
    await browser?.close()
    await net?.stop()
    await rm(screenshots, { recursive: true, force: true })
  })

  async function openPage(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('request', (request) => requestedOrigins.add(new URL(request.url()).origin))
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(url)
    return page
  }
  const orderId = () => formatOrderId(net.completed.placed.orderId)
  const checksOf = (page: Page) =>
    page.$$eval('[data-testid=verification] .check', (items) =>
      items.map((item) => ({
        name: item.querySelector('.check-name')?.textContent ?? '',
        status: item.getAttribute('data-status') ?? '',
      })),
    )

  it('shows every page with the network’s content, and says the TEE is simulated', async () => {
    const page = await openPage(net.explorer.url)
    const { network } = net
    const providerAddress = JSON.parse(await readFile(network.keyFiles.provider, 'utf8')).address
    const expectations: [string, string[]][] = [
      ['#/', ['1\nproviders', 'Latest orders', network.deployment.contracts.market]],
      ['#/providers', [providerAddress, '#1 simulated TEE']],
      ['#/offers', ['TEE offers', '#1', network.ocr.solutionHash.slice(0, 8)]],
      ['#/enclaves', ['simulated TEE', 'none: simulated TEE', 'usable']],
      [`#/enclaves/${network.provider.enclave}`, ['runtime measurement', 'Verified']],
      ['#/orders', ['completed', orderId().slice(0, 8)]],
      [`#/orders/${orderId()}`, ['Created', 'Accepted', 'Completed', 'Payouts', 'Verified']],
      ['#/measurements', ['listed', '(in effect)', 'provenance']],
      ['#/new-order', ['New order', 'TEE offer']],
    ]
    for (const [route, texts] of expectations) {
      await page.goto(`${net.explorer.url}${route}`)
      for (const text of texts)
        await page.getByText(text, { exact: false }).first().waitFor({ timeout: 30_000 })
      const banner = await page.getByTestId('network-banner').textContent()
      assert.match(banner ?? '', /TEE is simulated/)
      await page.screenshot({
        path: join(screenshots, `${route.replace(/[^a-z0-9]+/gi, '-')}.png`),
        fullPage: true,
      })
    }
    await page.close()
  })

  it('runs the order’s full verification in the page: every check passes, as in Node', async () => {
    const page = await openPage(`${net.explorer.url}#/orders/${orderId()}`)
    await page.locator('[data-testid=verification] .checks').waitFor({ timeout: 60_000 })
    const inPage = await checksOf(page)
    const inNode = await auditOrder(await net.network.signer('stranger'), {
      orderId: net.completed.placed.orderId,
      blobs: devBlobStore(net.network),
      policy: net.network.policy,
    })
    assert.equal(inNode.ok, true)
    // The page shows the same checks, grouped by tier.
    assert.deepEqual(
      inPage,
      checkTiers.flatMap((tier) =>
        inNode.checks
          .filter((check) => check.tier === tier)
          .map((check) => ({ name: check.name, status: check.status })),
      ),
    )
    for (const check of inPage) assert.match(check.status, /^(passed|not-applicable)$/, check.name)
    assert.match((await page.getByTestId('score').textContent()) ?? '', /(\d+) of \1 applicable/)
    for (const tier of ['hardware authenticity', 'key and channel binding', 'order'])
      assert.equal(await page.locator(`[data-tier="${tier}"]`).count(), 1, tier)
    await page.screenshot({ path: join(screenshots, 'order-verified.png'), fullPage: true })
    await page.close()
  })

  it('fails the verification in the page when the blob store serves another output', async () => {
    const outputHash = net.completed.record.completion?.outputHash as Hex
    const honest = devBlobStore(net.network)
    const other = await honest.get(net.completed.placed.terms.requestHash)
    const lying: BlobStore = {
      ...honest,
      getStream: async (hash) =>
        hash.toLowerCase() === outputHash.toLowerCase()
          ? new Blob([other as BlobPart]).stream()
          : honest.getStream(hash),
      size: async (hash) =>
        hash.toLowerCase() === outputHash.toLowerCase() ? other.length : honest.size(hash),
    }
    const lyingServer = await serveFetch(createBlobServer(lying))
    const explorer = await startExplorer({
      deploymentFile: net.network.deploymentFile,
      blobStoreUrl: lyingServer.url,
    })
    pointAt(lyingServer.url)
    pointAt(explorer.url)
    try {
      const page = await openPage(`${explorer.url}#/orders/${orderId()}`)
      await page.locator('[data-testid=verification] .checks').waitFor({ timeout: 60_000 })
      const checks = await checksOf(page)
      assert.deepEqual(
        checks.filter((check) => check.status === 'failed').map((check) => check.name),
        ['output available'],
      )
      assert.equal(
        await page.locator('[data-testid=verification] [data-verified=false]').count(),
        1,
      )
      assert.match(
        (await page.locator('.check-failed .explanation').textContent()) ?? '',
        /does not hash to its address/,
      )
      await page.screenshot({ path: join(screenshots, 'order-lying-store.png'), fullPage: true })
      await page.close()
    } finally {
      await explorer.close()
      await lyingServer.close()
    }
  })

  it('decrypts the result in the page with the customer’s result key, and refuses another key', async () => {
    const page = await openPage(`${net.explorer.url}#/orders/${orderId()}`)
    const expected = await fetchResult({
      order: net.completed.record,
      blobs: devBlobStore(net.network),
      resultKey: net.completed.placed.resultKey,
    })
    await page.getByTestId('result-key').fill(`0x${'11'.repeat(32)}`)
    await page.getByTestId('decrypt').click()
    await page.getByText('could not be opened with this key').waitFor({ timeout: 30_000 })

    const key = bytesToHex(await exportHpkePrivateKey(net.completed.placed.resultKey))
    await page.getByTestId('result-key').fill(key)
    await page.getByTestId('decrypt').click()
    await page.getByTestId('plaintext').waitFor({ timeout: 30_000 })
    const lines = await page.$$eval('[data-testid=plaintext] .line-text', (items) =>
      items.map((item) => item.textContent),
    )
    assert.deepEqual(
      lines,
      expected.result.lines.map((line) => line.text),
    )
    assert.ok(lines.length > 3)
    await page.screenshot({ path: join(screenshots, 'order-decrypted.png'), fullPage: true })
    await page.close()
  })

  it('places an order through the dev key and follows it live to a verified, readable result', async () => {
    const page = await openPage(`${net.explorer.url}#/new-order`)
    await page.getByTestId('dev-account').selectOption({ label: 'customer' })
    await page.getByTestId('wallet').getByText('customer, dev key').waitFor()
    await page.getByTestId('input-file').setInputFiles(sampleImagePath.pathname)
    await page.getByTestId('place-order').click()
    await page.getByTestId('placed').waitFor({ timeout: 60_000 })
    await page.getByTestId('placed-order').click()
    await page
      .locator('[data-testid=order-status][data-status=completed]')
      .waitFor({ timeout: 60_000 })
    await page.locator('.step-completed').waitFor()
    await page.locator('[data-testid=verification] [data-verified=true]').waitFor({
      timeout: 60_000,
    })
    await page.getByTestId('decrypt').click()
    await page
      .locator('[data-testid=plaintext], [data-testid=result] .error')
      .first()
      .waitFor({ timeout: 30_000 })
    assert.deepEqual(await page.locator('[data-testid=result] .error').allTextContents(), [])
    assert.ok((await page.locator('[data-testid=plaintext] .line-text').count()) > 3)
    await page.screenshot({ path: join(screenshots, 'placed-in-page.png'), fullPage: true })
    await page.close()
  })

  it('serves the dev wallet to its own pages only, and sends only to BOCC’s contracts', async () => {
    const url = new URL('dev-wallet', net.explorer.url)
    const post = (body: object, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    const sameOrigin = { origin: url.origin, 'sec-fetch-site': 'same-origin' }
    assert.equal((await post({ method: 'eth_accounts' })).status, 403)
    assert.equal(
      (
        await post(
          { method: 'eth_accounts' },
          { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
        )
      ).status,
      403,
    )
    const accounts = await (await post({ method: 'eth_accounts' }, sameOrigin)).json()
    const customer =
      net.network.keyFiles.customer && (await readFile(net.network.keyFiles.customer, 'utf8'))
    assert.deepEqual(accounts.result, [JSON.parse(customer).address])
    const stray = await (
      await post(
        {
          method: 'eth_sendTransaction',
          params: [{ from: accounts.result[0], to: accounts.result[0], data: '0x' }],
        },
        sameOrigin,
      )
    ).json()
    assert.equal(stray.error.code, 4100)
    assert.match(stray.error.message, /only to the market and the token/)
    const signing = await (await post({ method: 'eth_sign', params: [] }, sameOrigin)).json()
    assert.equal(signing.error.code, 4100)
  })

  it('builds as static files with no key in them, which any server can host', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bocc-explorer-static-'))
    let server: Server | undefined
    const blobServer: RunningServer = await serveFetch(createBlobServer(devBlobStore(net.network)))
    pointAt(blobServer.url)
    try {
      const files = await buildExplorer({
        deploymentFile: net.network.deploymentFile,
        outDirectory: directory,
        blobStoreUrl: blobServer.url,
      })
      const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')))
      for (const role of Object.keys(devRoles) as (keyof typeof devRoles)[]) {
        const key = devPrivateKey(devRoles[role]).slice(2).toLowerCase()
        for (const text of texts)
          assert.ok(!text.toLowerCase().includes(key), `${role} key in the build`)
      }
      const config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8'))
      assert.equal(config.devWallet, undefined)
      assert.equal(config.developmentPolicy.allowSim, true)
      // A plain static file server, as any host would be.
      server = createServer(async (request, response) => {
        const name =
          new URL(request.url ?? '/', 'http://127.0.0.1').pathname.slice(1) || 'index.html'
        const types: Record<string, string> = {
          html: 'text/html',
          js: 'text/javascript',
          css: 'text/css',
          json: 'application/json',
        }
        try {
          const body = await readFile(join(directory, name.replaceAll('/', '')))
          response.writeHead(200, {
            'content-type': types[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
          })
          response.end(body)
        } catch {
          response.writeHead(404).end()
        }
      })
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
      const port = (server.address() as { port: number }).port
      pointAt(`http://127.0.0.1:${port}/`)
      const page = await openPage(`http://127.0.0.1:${port}/#/orders/${orderId()}`)
      await page.locator('[data-testid=verification] [data-verified=true]').waitFor({
        timeout: 60_000,
      })
      assert.equal(await page.getByTestId('dev-account').count(), 0)
      await page.close()
    } finally {
      await new Promise((resolve) => server?.close(resolve))
      await blobServer.close()
      await rm(directory, { recursive: true, force: true })
    }
  })

  it('made requests only to its own origin, the RPC and the blob stores it was pointed at', () => {
    // Chromium's own requests (data: URLs and the like) have no origin to speak of.
    const requested = [...requestedOrigins].filter((origin) => origin !== 'null')
    for (const origin of requested) assert.ok(pointedAt.has(origin), `the page requested ${origin}`)
    assert.ok(requestedOrigins.has(new URL(net.network.chain.rpcUrl).origin))
    assert.deepEqual(pageErrors, [])
  })
})
