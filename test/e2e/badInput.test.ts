import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { writeDeployment } from '../../src/chain/deployment.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { repositoryRoot, runBocc } from '../support/runBocc.ts'

/** Bad input gets one clear line on stderr and a non-zero exit, never a stack trace. */
function assertOneLineError(
  result: { code: number | null; stderr: string },
  code: number,
  pattern: RegExp,
) {
  assert.equal(result.code, code)
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('usage:'))
  assert.equal(lines.length, 1, result.stderr)
  assert.match(lines[0] ?? '', pattern)
  assert.doesNotMatch(result.stderr, /\n\s+at /)
}

describe('bad input', () => {
  let dev: LocalProtocol
  const deploymentFile = join(tmpdir(), `bocc-bad-input-${process.pid}.json`)
  const otherFile = join(tmpdir(), `bocc-bad-input-other-${process.pid}.json`)
  before(async () => {
    dev = await startLocalProtocol()
    await writeDeployment(deploymentFile, dev.deployment)
  })
  after(async () => {
    await dev.stop()
    await rm(deploymentFile, { force: true })
    await rm(otherFile, { force: true })
  })

  it('an unknown order id', async () => {
    const result = await runBocc(['order', 'show', '999', '--deployment', deploymentFile])
    assertOneLineError(result, 1, /^bocc: order 0x0{61}3e7 does not exist on the BOCC market 0x/)
  })

  it('a deployment whose market is not a BOCC contract, one for another chain, a malformed one', async () => {
    await writeDeployment(otherFile, {
      ...dev.deployment,
      contracts: { ...dev.deployment.contracts, market: dev.signers.stranger.account.address },
    })
    assertOneLineError(
      await runBocc(['order', 'show', '1', '--deployment', otherFile]),
      1,
      /^bocc: no BOCC market at 0x/,
    )
    await writeDeployment(otherFile, { ...dev.deployment, chainId: 1 })
    assertOneLineError(
      await runBocc(['order', 'show', '1', '--deployment', otherFile]),
      1,
      /^bocc: the RPC at http:\/\/127\.0\.0\.1:\d+ serves chain 31337, but the deployment is on chain 1/,
    )
    await writeFile(otherFile, '{"version":1}')
    assertOneLineError(
      await runBocc(['order', 'show', '1', '--deployment', otherFile]),
      1,
      /^bocc: .*chainId must be a positive integer/,
    )
  })

  it('an RPC that is down', async () => {
    const result = await runBocc([
      'order',
      'show',
      '1',
      '--deployment',
      deploymentFile,
      '--rpc',
      'http://127.0.0.1:1',
    ])
    assertOneLineError(result, 1, /^bocc: cannot reach the chain RPC at http:\/\/127\.0\.0\.1:1/)
  })

  it('a port in use', async () => {
    const server = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const { port } = server.address() as { port: number }
    try {
      const result = await runBocc(['demo', '--chain-port', String(port)])
      assertOneLineError(result, 1, new RegExp(`^bocc: port ${port} on 127\\.0\\.0\\.1 is in use`))
    } finally {
      server.close()
    }
  })

  it('a file that is not an image, and a missing one', async () => {
    assertOneLineError(
      await runBocc(['demo', '--image', join(repositoryRoot, 'package.json')]),
      1,
      /^bocc: \/.*\/package\.json is not a PNG or JPEG image/,
    )
    assertOneLineError(
      await runBocc(['demo', '--image', 'no/such/file.png']),
      1,
      /^bocc: cannot read the image/,
    )
  })

  it('an image the model cannot read: the enclave signs a failure, the escrow goes back, the demo says so', async () => {
    const path = join(tmpdir(), `bocc-broken-${process.pid}.png`)
    await writeFile(
      path,
      // A PNG header the client's limit check accepts (100×100), then a body no decoder reads.
      Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
        Buffer.from('IHDR'),
        Buffer.from([0, 0, 0, 100, 0, 0, 0, 100, 8, 2, 0, 0, 0, 0, 0, 0, 0]),
        Buffer.from('not a PNG body'),
      ]),
    )
    try {
      assertOneLineError(
        await runBocc(['demo', '--image', path]),
        1,
        /^bocc: order 0x[0-9a-f]{64} failed in the enclave: the solution rejected the input; the escrow went back to the customer$/,
      )
    } finally {
      await rm(path, { force: true })
    }
  })

  it('usage errors exit with 2', async () => {
    assertOneLineError(await runBocc(['order', 'show', 'abc']), 2, /order id/)
    assertOneLineError(await runBocc(['order', 'show', '1']), 2, /--deployment/)
    assertOneLineError(await runBocc(['demo', '--bogus']), 2, /bogus/)
    assertOneLineError(await runBocc(['frobnicate']), 2, /unknown command/)
  })
})
