import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { boccEnvironment, runBocc } from '../support/runBocc.ts'

const boccEntry = new URL('../../src/cli/bocc.ts', import.meta.url).pathname

describe('bocc demo', () => {
  let workDir: string
  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'bocc-demo-test-'))
  })
  after(() => rm(workDir, { recursive: true, force: true }))

  it('reads the shipped lab report inside the enclave, verifies every step, and with --keep stays up for the re-check it prints', async () => {
    const { code, stdout, stderr, recheck } = await runKeptDemo()
    assert.equal(code, 0, stderr)
    assert.equal(recheck.code, 0, recheck.stdout + recheck.stderr)
    assert.match(recheck.stdout, /simulated TEE accepted by this development network’s policy/)
    assert.equal(recheck.stdout.trim().split('\n').pop(), 'verified')
    for (const text of [
      'NORTHGATE CLINICAL LABORATORY',
      'Glucose (fasting) 5.4 mmol/L',
      'Result reviewed by Dr. A. Smith',
    ])
      assert.ok(stdout.includes(text), `missing OCR line ${text}`)
    assert.doesNotMatch(stdout, /✘/)
    for (const check of [
      'receipt signed by the order’s enclave',
      'on-chain order record',
      'input hash',
      'output available',
      'evidence: policy: measurement allowed',
    ])
      assert.match(stdout, new RegExp(`✔ ${check}`))
    assert.match(stdout, /\nverified\n/)
    assert.equal(stderr, '')
  })

  it('runs on a user’s own JPEG with --image', async () => {
    const path = join(workDir, 'invoice.jpg')
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="700" height="220"><rect width="100%" height="100%" fill="white"/>
      <text x="40" y="80" font-family="DejaVu Sans" font-size="36">INVOICE 4711</text>
      <text x="40" y="150" font-family="DejaVu Sans" font-size="30">Amount due: 1250.00 EUR</text></svg>`
    await sharp(Buffer.from(svg)).jpeg().toFile(path)
    const { code, stdout, stderr } = await runBocc(['demo', '--image', path])
    assert.equal(code, 0, stderr)
    assert.match(stdout, /INVOICE ?4711/)
    assert.match(stdout, /Amount due: 1250\.00 EUR/)
    assert.match(stdout, /\nverified\n/)
    assert.match(stdout, /bocc demo --keep/)
  })
})

/**
 * Runs `bocc demo --keep`, runs the re-check command it prints while the network is up, then
 * stops it with Ctrl-C; the demo's directory stays, and is removed here.
 */
async function runKeptDemo() {
  const child = spawn(process.execPath, [boccEntry, 'demo', '--keep'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: boccEnvironment(),
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const recheckLine = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const match =
        /Re-check the order from public data: bocc (.+)\n[\s\S]*stays up until Ctrl-C/.exec(stdout)
      if (match) resolve(match[1] as string)
    })
    exited.then(() => reject(new Error(`the demo exited: ${stderr}`)))
  })
  const recheck = await runBocc(recheckLine.split(' '))
  const directory = /--deployment (\S+)\/deployment\.json/.exec(recheckLine)?.[1] as string
  child.kill('SIGINT')
  const code = await exited
  assert.ok(existsSync(join(directory, 'deployment.json')), 'the kept directory is still there')
  await rm(directory, { recursive: true, force: true })
  return { code, stdout, stderr, recheck }
}

describe('bocc demo on Ctrl-C', () => {
  it('shuts down the chain, the provider node and the enclave runtime', async () => {
    const root = process.cwd()
    const child = spawn(process.execPath, ['src/cli/bocc.ts', 'demo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    // Interrupt while the provider node and its enclave are starting: every process is up.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('starting the provider node')) resolve()
      })
    })
    await new Promise((resolve) => setTimeout(resolve, 800))
    child.kill('SIGINT')
    const code = await new Promise((resolve) => child.on('exit', resolve))
    assert.equal(code, 1)
    assert.equal(stderr.trim(), 'bocc: interrupted; everything was shut down')
    const leftovers = spawnSync(
      'pgrep',
      [
        '-f',
        `${root}/(src/provider/main|src/provider/enclaveHost|src/enclave/main|src/committee/main|node_modules/@foundry-rs/anvil)`,
      ],
      { encoding: 'utf8' },
    )
    assert.equal(
      leftovers.stdout.trim(),
      '',
      `processes left running: ${spawnSync('ps', ['-o', 'pid,args', '-p', leftovers.stdout.trim().split('\n').join(',')], { encoding: 'utf8' }).stdout}`,
    )
  })
})
