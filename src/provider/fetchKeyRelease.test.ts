import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Address, Hex } from 'viem'
import { type RunningServer, serveFetch } from '../storage/startBlobServer.ts'
import { fetchLeaseKeyRelease, LeaseKeyNotReleasedError } from './fetchKeyRelease.ts'

const enclave = `0x${'22'.repeat(20)}` as Address
const solutionHash = `0x${'55'.repeat(32)}` as Hex
const release = { enc: `0x${'aa'.repeat(32)}`, ciphertext: `0x${'bb'.repeat(48)}` }

describe('fetching a lease key release', () => {
  /** An agent that answers whatever `answer` says: an honest one, or one that misdirects. */
  let answer: (url: URL) => { status: number; body: unknown }
  let agent: RunningServer
  const asked: string[] = []
  before(async () => {
    agent = await serveFetch(
      {
        async fetch(request) {
          const url = new URL(request.url)
          asked.push(`${url.pathname}${url.search}`)
          const { status, body } = answer(url)
          return Response.json(body, { status })
        },
      },
      { host: '127.0.0.1', port: 0 },
    )
  })
  after(() => agent.close())
  const fetchRelease = (urls: string[]) =>
    fetchLeaseKeyRelease({ urls, leaseId: 5n, solutionHash, enclave })

  it('asks for the lease and enclave, and takes a release that names them', async () => {
    answer = () => ({
      status: 200,
      body: { version: 1, leaseId: '5', solutionHash, enclave, release },
    })
    assert.deepEqual(await fetchRelease([agent.url]), release)
    assert.equal(asked.at(-1), `/lease-key-releases/5?enclave=${enclave}`)
  })

  it('takes no release for another lease, model or enclave, and says what each agent answered', async () => {
    for (const wrong of [
      { leaseId: '6' },
      { solutionHash: `0x${'66'.repeat(32)}` },
      { enclave: `0x${'33'.repeat(20)}` },
      { release: { enc: 'nope' } },
    ]) {
      answer = () => ({
        status: 200,
        body: { version: 1, leaseId: '5', solutionHash, enclave, release, ...wrong },
      })
      await assert.rejects(fetchRelease([agent.url]), LeaseKeyNotReleasedError)
    }
    answer = () => ({ status: 410, body: { error: 'lease 5 was closed' } })
    await assert.rejects(
      fetchRelease([agent.url, 'http://127.0.0.1:1/']),
      (error: LeaseKeyNotReleasedError) =>
        error.shortMessage ===
        `no owner agent released the key of lease 5 to enclave ${enclave}: ${agent.url} answered 410 (lease 5 was closed); http://127.0.0.1:1/ cannot be reached`,
    )
    await assert.rejects(fetchRelease([]), /none is configured \(ownerAgents\)/)
  })
})
