import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Address, Hex } from 'viem'
import { generateHpkeKeyPair, KeyUnwrapError } from '../crypto/hpke.ts'
import { openLeaseKeyRelease, releaseLeaseKey } from '../protocol/leaseKeyRelease.ts'
import type { LeaseKeyReleaser } from './createLeaseKeyReleaser.ts'
import { createLeaseKeyReleaseHandler } from './leaseKeyReleaseHandler.ts'

const scope = {
  chainId: 31337,
  leases: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address,
  solutionHash: `0x${'55'.repeat(32)}` as Hex,
}
const enclave = `0x${'22'.repeat(20)}` as Address

describe('lease key releases over HTTP', async () => {
  const enclaveKeys = await generateHpkeKeyPair()
  const modelKey = crypto.getRandomValues(new Uint8Array(32))
  const asked: { leaseId: bigint; enclave: Address }[] = []
  /** Releases lease 5 to `enclave`, says lease 6 ended, refuses other enclaves, fails on lease 7. */
  const releaser: LeaseKeyReleaser = {
    async release(request) {
      asked.push(request)
      if (request.leaseId === 7n) throw new Error('connection refused')
      if (request.leaseId === 6n)
        return { refused: { status: 410, error: 'lease 6 was closed at 2026-12-01T00:00:00.000Z' } }
      if (request.enclave.toLowerCase() !== enclave)
        return { refused: { status: 403, error: `enclave ${request.enclave} is not registered` } }
      const release = await releaseLeaseKey({
        ...scope,
        leaseId: request.leaseId,
        enclaveHpkePublicKey: enclaveKeys.publicKey,
        key: modelKey,
      })
      return {
        released: { leaseId: request.leaseId, solutionHash: scope.solutionHash, enclave, release },
      }
    },
  }
  const handler = createLeaseKeyReleaseHandler(releaser)
  const get = async (path: string, init?: RequestInit) => {
    const response = await handler.fetch(new Request(`http://127.0.0.1${path}`, init))
    return { status: response.status, body: await response.json() }
  }

  it('answer the release for the lease and enclave asked, which opens there for that lease only', async () => {
    const { status, body } = await get(`/lease-key-releases/5?enclave=${enclave}`)
    assert.equal(status, 200)
    assert.deepEqual(Object.keys(body).sort(), [
      'enclave',
      'leaseId',
      'release',
      'solutionHash',
      'version',
    ])
    assert.equal(body.version, 1)
    assert.equal(body.leaseId, '5')
    assert.equal(body.enclave, enclave)
    assert.deepEqual(asked.at(-1), { leaseId: 5n, enclave })
    const opened = await openLeaseKeyRelease({
      ...scope,
      leaseId: 5n,
      enclavePrivateKey: enclaveKeys.privateKey,
      release: body.release,
    })
    assert.deepEqual(opened, modelKey)
    // Replayed for another lease, or taken to another enclave, it does not open.
    await assert.rejects(
      openLeaseKeyRelease({
        ...scope,
        leaseId: 6n,
        enclavePrivateKey: enclaveKeys.privateKey,
        release: body.release,
      }),
      KeyUnwrapError,
    )
    const stranger = await generateHpkeKeyPair()
    await assert.rejects(
      openLeaseKeyRelease({
        ...scope,
        leaseId: 5n,
        enclavePrivateKey: stranger.privateKey,
        release: body.release,
      }),
      KeyUnwrapError,
    )
  })

  it('pass on the releaser’s refusals in one line, and say when the chain cannot be read', async () => {
    const ended = await get(`/lease-key-releases/6?enclave=${enclave}`)
    assert.equal(ended.status, 410)
    assert.deepEqual(ended.body, { error: 'lease 6 was closed at 2026-12-01T00:00:00.000Z' })
    const other = await get(`/lease-key-releases/5?enclave=0x${'99'.repeat(20)}`)
    assert.equal(other.status, 403)
    assert.match(other.body.error, /is not registered/)
    const down = await get(`/lease-key-releases/7?enclave=${enclave}`)
    assert.equal(down.status, 503)
    assert.equal(down.body.error, 'the chain cannot be read now: connection refused')
    for (const body of [ended.body, other.body, down.body]) assert.equal(body.release, undefined)
  })

  it('refuse malformed asks without asking the releaser', async () => {
    const before = asked.length
    for (const path of [
      `/lease-key-releases/0?enclave=${enclave}`,
      `/lease-key-releases/0x5?enclave=${enclave}`,
      `/lease-key-releases/05?enclave=${enclave}`,
      `/lease-key-releases/${2n ** 256n}?enclave=${enclave}`,
      '/lease-key-releases/5',
      '/lease-key-releases/5?enclave=0x1234',
    ])
      assert.equal((await get(path)).status, 400, path)
    assert.equal((await get('/lease-key-releases/5/x')).status, 404)
    assert.equal(
      (await get(`/lease-key-releases/5?enclave=${enclave}`, { method: 'POST', body: 'x' })).status,
      405,
    )
    assert.equal(asked.length, before)
  })
})
