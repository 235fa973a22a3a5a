import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateHpkeKeyPair, KeyUnwrapError } from '../crypto/hpke.ts'
import { openKeyRelease, releaseKey } from '../protocol/keyRelease.ts'
import { createKeyReleaseHandler, type ReleasedKey } from './keyReleaseHandler.ts'

describe('key releases', () => {
  it('are served by order id, and open for that order and resource only, with the enclave’s key', async () => {
    const enclave = await generateHpkeKeyPair()
    const key = crypto.getRandomValues(new Uint8Array(32))
    const resourceHash = `0x${'11'.repeat(32)}` as const
    const release = await releaseKey({
      enclaveHpkePublicKey: enclave.publicKey,
      key,
      orderId: 7n,
      resourceHash,
    })
    const releases = new Map<bigint, ReleasedKey[]>([
      [7n, [{ kind: 'data', resourceHash, enclave: `0x${'22'.repeat(20)}`, release }]],
    ])
    const handler = createKeyReleaseHandler(releases)
    const answer = await handler.fetch(
      new Request(`http://127.0.0.1/key-releases/0x${'0'.repeat(63)}7`),
    )
    assert.equal(answer.status, 200)
    const body = await answer.json()
    assert.equal(body.orderId, `0x${'0'.repeat(63)}7`)
    const served = body.releases[0].release
    assert.deepEqual(
      await openKeyRelease({
        enclavePrivateKey: enclave.privateKey,
        release: served,
        orderId: 7n,
        resourceHash,
      }),
      key,
    )
    for (const other of [
      { orderId: 8n, resourceHash },
      { orderId: 7n, resourceHash: `0x${'33'.repeat(32)}` as const },
    ])
      await assert.rejects(
        openKeyRelease({ enclavePrivateKey: enclave.privateKey, release: served, ...other }),
        KeyUnwrapError,
      )
    const stranger = await generateHpkeKeyPair()
    await assert.rejects(
      openKeyRelease({
        enclavePrivateKey: stranger.privateKey,
        release: served,
        orderId: 7n,
        resourceHash,
      }),
      KeyUnwrapError,
    )
    assert.equal((await handler.fetch(new Request('http://127.0.0.1/key-releases/8'))).status, 404)
    assert.equal(
      (await handler.fetch(new Request('http://127.0.0.1/key-releases/nope'))).status,
      400,
    )
    assert.equal((await handler.fetch(new Request('http://127.0.0.1/other'))).status, 404)
    assert.equal(
      (
        await handler.fetch(
          new Request('http://127.0.0.1/key-releases/7', { method: 'PUT', body: 'x' }),
        )
      ).status,
      405,
    )
  })
})
