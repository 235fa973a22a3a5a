import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { build } from 'esbuild'
import { type Browser, chromium, type Page } from 'playwright-core'
import type { EvidenceVerdict } from '../../src/attestation/types.ts'
import { verifyEvidence } from '../../src/attestation/verifyEvidence.ts'
import { signSimEvidence } from '../../src/enclave/tee/signSimEvidence.ts'
import { collateralSet, vector, vectorsMissing } from '../attestationVectors.ts'

const chromiumPath = '/usr/bin/chromium'
const skip = existsSync(chromiumPath)
  ? vectorsMissing
  : 'Debian chromium is not installed (apt-get install chromium)'

/** The attestation library bundled for browsers, exposed to the page as `window.boccVerify`. */
async function bundleForBrowser(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
        import { verifyEvidence } from './src/attestation/verifyEvidence.ts'
        const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
        window.boccVerify = async ({ evidence, collateral, certs, at }) => {
          const verdict = await verifyEvidence(bytes(evidence), {
            at: new Date(at),
            collateral: collateral.map(bytes),
            certs: certs.map(bytes),
          })
          return JSON.stringify(verdict)
        }`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]?.text ?? ''
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')

/** The same evidence through Node and through Chromium must give the same verdict. */
describe('attestation library in a browser (headless Chromium)', { skip }, () => {
  let server: Server
  let browser: Browser
  let page: Page

  before(async () => {
    const script = await bundleForBrowser()
    const html = `<!doctype html><meta charset="utf-8"><title>BOCC attestation</title><script>${script.replaceAll('</script', '<\\/script')}</script>`
    server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(html)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    // Flags keep Chromium from calling home: this machine reaches no network.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/`)
  })
  after(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  async function inBrowserAndNode(input: {
    evidence: Uint8Array
    collateral?: Uint8Array[]
    certs?: Uint8Array[]
    at: string
  }) {
    const inBrowser = JSON.parse(
      await page.evaluate(
        (args) =>
          (window as unknown as { boccVerify(a: typeof args): Promise<string> }).boccVerify(args),
        {
          evidence: base64(input.evidence),
          collateral: (input.collateral ?? []).map(base64),
          certs: (input.certs ?? []).map(base64),
          at: input.at,
        },
      ),
    ) as EvidenceVerdict
    const inNode = await verifyEvidence(input.evidence, {
      at: new Date(input.at),
      collateral: input.collateral ?? [],
      certs: input.certs ?? [],
    })
    return { inBrowser, inNode: JSON.parse(JSON.stringify(inNode)) as EvidenceVerdict }
  }

  it('verifies a real TDX quote with its collateral exactly as Node does', async () => {
    const { inBrowser, inNode } = await inBrowserAndNode({
      evidence: vector('phala-dcap-qvl/tdx_quote'),
      collateral: collateralSet('P-TDX'),
      at: '2025-06-20T00:00:00Z',
    })
    assert.equal(
      inBrowser.ok,
      true,
      JSON.stringify(inBrowser.checks.filter((check) => check.status !== 'passed')),
    )
    assert.equal(inBrowser.status, 'UpToDate')
    assert.deepEqual(inBrowser, inNode)
  })

  it('refuses the same quote one second after its collateral expired, as Node does', async () => {
    const { inBrowser, inNode } = await inBrowserAndNode({
      evidence: vector('phala-dcap-qvl/tdx_quote'),
      collateral: collateralSet('P-TDX'),
      at: '2025-07-19T10:00:36Z',
    })
    assert.equal(inBrowser.ok, false)
    assert.deepEqual(inBrowser, inNode)
  })

  it('verifies a real SEV-SNP report and sim evidence as Node does', async () => {
    const snp = await inBrowserAndNode({
      evidence: vector('virtee-sev/report_milan.bin'),
      certs: [vector('virtee-sev/vcek_milan.der')],
      at: '2024-01-01T00:00:00Z',
    })
    assert.equal(
      snp.inBrowser.ok,
      true,
      JSON.stringify(snp.inBrowser.checks.filter((check) => check.status !== 'passed')),
    )
    assert.deepEqual(snp.inBrowser, snp.inNode)
    const sim = await inBrowserAndNode({
      evidence: await signSimEvidence({
        measurement: `0x${'11'.repeat(32)}`,
        reportData: `0x${'22'.repeat(64)}`,
        debug: false,
        issuedAt: new Date('2026-01-01T00:00:00Z'),
      }),
      at: '2026-01-01T00:00:05Z',
    })
    assert.equal(sim.inBrowser.ok, true)
    assert.deepEqual(sim.inBrowser, sim.inNode)
  })
})
