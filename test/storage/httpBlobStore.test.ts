import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sha256 } from 'viem'
import { BlobStoreUnavailableError } from '../../src/storage/blobErrors.ts'
import { createFsBlobStore } from '../../src/storage/fsBlobStore.ts'
import { BlobRefusedError, createHttpBlobStore } from '../../src/storage/httpBlobStore.ts'
import {
  type RunningServer,
  serveFetch,
  startBlobServer,
} from '../../src/storage/startBlobServer.ts'
import { type FlakyProxy, startFlakyProxy } from '../support/flakyProxy.ts'

describe('blob server client: what it retries', () => {
  let directory: string
  let server: RunningServer
  let proxy: FlakyProxy
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-http-blobs-'))
    server = await startBlobServer(createFsBlobStore(directory))
    proxy = await startFlakyProxy(Number(new URL(server.url).port))
  })
  after(async () => {
    await proxy?.close()
    await server?.close()
    await rm(directory, { recursive: true, force: true })
  })

  it('fetches a blob again when the connection drops in the middle of its body', async () => {
    const bytes = new Uint8Array(randomBytes(300_000))
    const store = createHttpBlobStore(proxy.url, { retryDelayMs: 10 })
    const hash = await store.put(bytes)
    const before = proxy.dropped
    proxy.dropNext(2, { afterResponseBytes: 50_000 })
    assert.deepEqual(await store.get(hash), bytes)
    assert.equal(proxy.dropped - before, 2)
  })

  /** A server that answers every request with `status`, counting them. */
  async function answering(status: number) {
    let requests = 0
    const running = await serveFetch({
      async fetch() {
        requests++
        return new Response(JSON.stringify({ error: `always ${status}` }), { status })
      },
    })
    return { running, requests: () => requests }
  }

  it('retries a 5xx answer with backoff, then says the store failed', async () => {
    const failing = await answering(503)
    try {
      const store = createHttpBlobStore(failing.running.url, { retries: 3, retryDelayMs: 5 })
      await assert.rejects(store.put(new Uint8Array([1])), (error) => {
        assert.ok(error instanceof BlobStoreUnavailableError)
        assert.match(error.shortMessage, /failed: HTTP 503: always 503/)
        return true
      })
      assert.equal(failing.requests(), 4)
    } finally {
      await failing.running.close()
    }
  })

  it('never retries a 4xx answer', async () => {
    const refusing = await answering(403)
    try {
      const store = createHttpBlobStore(refusing.running.url, { retryDelayMs: 5 })
      await assert.rejects(store.get(sha256(new Uint8Array([1]))), (error) => {
        assert.ok(error instanceof BlobRefusedError)
        assert.match(error.shortMessage, /refused the request \(HTTP 403\): always 403/)
        return true
      })
      assert.equal(refusing.requests(), 1)
    } finally {
      await refusing.running.close()
    }
  })

  it('says in one line that a server cannot be reached', async () => {
    const gone = await answering(200)
    const url = gone.running.url
    await gone.running.close()
    const store = createHttpBlobStore(url, { retries: 1, retryDelayMs: 5 })
    await assert.rejects(store.has(sha256(new Uint8Array([1]))), (error) => {
      assert.ok(error instanceof BlobStoreUnavailableError)
      assert.match(
        error.shortMessage,
        /^the blob store http:\/\/127\.0\.0\.1:\d+\/ failed: fetch failed \(.*ECONNREFUSED/,
      )
      return true
    })
  })
})
