import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { runBocc } from '../support/runBocc.ts'

describe('bocc demo', () => {
  let workDir: string
  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'bocc-demo-test-'))
  })
  after(() => rm(workDir, { recursive: true, force: true }))

  it('reads the shipped lab report inside the enclave and verifies every step', async () => {
    const { code, stdout, stderr } = await runBocc(['demo'])
    assert.equal(code, 0, stderr)
    for (const text of [
      'NORTHGATE CLINICAL LABORATORY',
      'Glucose (fasting) 5.4 mmol/L',
      'Result reviewed by Dr. A. Smith',
    ])
      assert.ok(stdout.includes(text), `missing OCR line ${text}`)
    assert.doesNotMatch(stdout, /FAILED/)
    for (const check of [
      'receipt signed by the order’s enclave',
      'on-chain order record',
      'input hash',
      'output hash',
      'evidence: policy: measurement allowed',
    ])
      assert.match(stdout, new RegExp(`passed {2}${check}`))
    assert.equal(stdout.trim().split('\n').pop(), 'verified')
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
    assert.equal(stdout.trim().split('\n').pop(), 'verified')
  })
})
