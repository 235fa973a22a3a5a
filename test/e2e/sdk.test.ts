import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { createBoccClient } from '../../src/client/createBoccClient.ts'
import { type DevNetwork, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { boccEnvironment, repositoryRoot } from '../support/runBocc.ts'

const clientEntry = fileURLToPath(new URL('../../src/client/index.ts', import.meta.url))

/** The program between the `sdk-example` marker and the end of its code block in docs/sdk.md. */
async function sdkExample(): Promise<string> {
  const doc = await readFile(join(repositoryRoot, 'docs', 'sdk.md'), 'utf8')
  const match = /<!-- sdk-example -->\n```ts\n([\s\S]*?)```/.exec(doc)
  assert.ok(match, 'docs/sdk.md has the sdk-example block')
  return match[1] as string
}

describe('the SDK', () => {
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
      orders.map((order) => customer.waitForOrder({ orderId: order.orderId, timeoutMs: 300_000 })),
    )
    for (const order of orders) {
      const { outputs } = await customer.getResult({ orderId: order.orderId })
      const text = JSON.parse(new TextDecoder().decode(outputs.result))
      assert.ok(
        text.lines.some((line: { text: string }) => /ORDER ?42/.test(line.text)),
        JSON.stringify(text),
      )
      assert.equal((await customer.verifyOrder({ orderId: order.orderId })).ok, true)
    }
  })
})
