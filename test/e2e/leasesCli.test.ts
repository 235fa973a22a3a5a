import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import OpenAI from 'openai'
import { boccEnvironment, runBocc } from '../support/runBocc.ts'
import { type BoccDev, startBoccDev } from '../support/startBoccDev.ts'

const entry = fileURLToPath(new URL('../../src/cli/bocc.ts', import.meta.url))

describe('bocc leases and bocc proxy against bocc dev, with the official OpenAI client', () => {
  let dev: BoccDev
  before(async () => {
    dev = await startBoccDev()
  })
  after(() => dev.stop())

  it('opens a lease, serves it on 127.0.0.1, streams a completion, shows and closes it', async () => {
    const solution = (dev.lines['chat model'] ?? '').split(' ')[0] as string
    assert.match(solution, /^0x[0-9a-f]{64}$/)
    const bocc = (args: string[]) => runBocc(args, { cwd: dev.workspace, env: dev.env })
    const opened = await bocc(['leases', 'open', '--solution', solution, '--json'])
    assert.equal(opened.code, 0, opened.stderr)
    const { leaseId } = JSON.parse(opened.stdout)
    assert.match(leaseId, /^\d+$/)

    const proxy = spawn(process.execPath, [entry, 'proxy', '--lease', leaseId], {
      cwd: dev.workspace,
      env: boccEnvironment(dev.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = ''
        proxy.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
          const match = /API at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stdout)
          if (match && stdout.includes('\nready')) resolve(match[1] as string)
        })
        proxy.once('exit', (code) => reject(new Error(`bocc proxy exited (${code})`)))
      })
      const openai = new OpenAI({ apiKey: 'not-used', baseURL: url, maxRetries: 0 })
      const stream = await openai.chat.completions.create({
        model: solution,
        messages: [{ role: 'user', content: 'hello world' }],
        max_tokens: 6,
        stream: true,
      })
      let chunks = 0
      let finish: string | null = null
      for await (const chunk of stream) {
        chunks++
        finish = chunk.choices[0]?.finish_reason ?? finish
      }
      assert.ok(chunks >= 2)
      assert.ok(finish === 'stop' || finish === 'length')
    } finally {
      // It writes the last signed usage before it exits.
      const exited = new Promise((resolve) =>
        proxy.exitCode === null ? proxy.once('exit', resolve) : resolve(proxy.exitCode),
      )
      proxy.kill('SIGINT')
      await exited
    }

    // The proxy kept the enclave's signed usage in the BOCC home; the daemon settled no more.
    const record = JSON.parse(
      await readFile(join(dev.env.BOCC_HOME as string, 'lease-usage', `${leaseId}.json`), 'utf8'),
    )
    assert.equal(record.usages.length, 1)
    assert.equal(record.usages[0].requests, '1')
    const contest = await bocc(['leases', 'contest', leaseId])
    assert.equal(contest.code, 1, contest.stderr)
    assert.match(
      contest.stderr,
      /^bocc: lease \d+: nothing to contest: enclave 0x[0-9a-fA-F]{40} settled no more than your record of it .*\n$/,
    )

    const shown = await bocc(['leases', 'show', leaseId, '--json'])
    assert.equal(shown.code, 0, shown.stderr)
    assert.equal(JSON.parse(shown.stdout).status, 'running')
    const closed = await bocc(['leases', 'close', leaseId, '--json'])
    assert.equal(closed.code, 0, closed.stderr)
    assert.equal(JSON.parse(closed.stdout).closed, true)
    const again = await bocc(['leases', 'show', 'not-a-lease'])
    assert.equal(again.code, 2)
    assert.match(again.stderr, /^bocc: not-a-lease is not a lease id/)
  })
})
