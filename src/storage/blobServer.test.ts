import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { sha256 } from 'viem'
import { createBlobServer } from './blobServer.ts'
import { createFsBlobStore } from './fsBlobStore.ts'

describe('blob server handler (web-standard fetch)', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-blob-server-'))
  after(() => rm(directory, { recursive: true, force: true }))
  const server = createBlobServer(createFsBlobStore(directory), { maxBodyBytes: 1000 })
  const bytes = new TextEncoder().encode('encrypted bytes')
  const hash = sha256(bytes)
  const urlOf = (hex: string) => `http://127.0.0.1/blobs/${hex}`
  const call = (path: string, init: RequestInit = {}) =>
    server.fetch(new Request(path, { duplex: 'half', ...init } as RequestInit))

  async function oneLineError(response: Response, status: number, pattern: RegExp) {
    assert.equal(response.status, status)
    assert.equal(response.headers.get('content-type'), 'application/json')
    const text = await response.text()
    assert.equal(text.trimEnd().includes('\n'), false)
    assert.match((JSON.parse(text) as { error: string }).error, pattern)
  }

  it('stores a body under its address and serves it, immutable, to GET and HEAD', async () => {
    const put = await call(urlOf(hash.slice(2)), { method: 'PUT', body: bytes })
    assert.equal(put.status, 201)
    assert.deepEqual(await put.json(), { hash })
    const get = await call(urlOf(hash.slice(2).toUpperCase()))
    assert.equal(get.status, 200)
    assert.deepEqual(new Uint8Array(await get.arrayBuffer()), bytes)
    assert.equal(get.headers.get('content-length'), String(bytes.length))
    assert.equal(get.headers.get('etag'), `"${hash.slice(2)}"`)
    assert.match(get.headers.get('cache-control') ?? '', /immutable/)
    const head = await call(urlOf(hash.slice(2)), { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers.get('content-length'), String(bytes.length))
    assert.equal(head.body, null)
  })

  it('refuses a body that does not hash to its address, and stores nothing', async () => {
    const claimed = sha256(new TextEncoder().encode('something else'))
    await oneLineError(
      await call(urlOf(claimed.slice(2)), { method: 'PUT', body: bytes }),
      400,
      new RegExp(`refused a blob for ${claimed}: its bytes hash to ${hash}`),
    )
    await oneLineError(await call(urlOf(claimed.slice(2))), 404, /no blob/)
  })

  it('answers unknown paths, methods and missing blobs with one-line JSON errors', async () => {
    await oneLineError(await call('http://127.0.0.1/blobs/1234'), 404, /\/blobs\/<sha256 hex>/)
    await oneLineError(await call(`http://127.0.0.1/blobs/0x${hash.slice(2)}`), 404, /API/)
    const deleted = await call(urlOf(hash.slice(2)), { method: 'DELETE' })
    assert.equal(deleted.headers.get('allow'), 'GET, HEAD, PUT, OPTIONS')
    await oneLineError(deleted, 405, /DELETE is not allowed/)
    await oneLineError(await call(urlOf('ab'.repeat(32))), 404, /no blob 0xabab/)
  })

  it('refuses a body declared too large without reading a byte of it', async () => {
    let pulled = false
    const body = new ReadableStream(
      {
        pull() {
          pulled = true
          throw new Error('the body was read')
        },
      },
      { highWaterMark: 0 },
    )
    const response = await call(urlOf(hash.slice(2)), {
      method: 'PUT',
      body,
      headers: { 'content-length': '1001' },
    })
    await oneLineError(response, 413, /larger than the 1000 bytes/)
    assert.equal(pulled, false)
  })

  it('stops reading a body of no declared length once it passes the limit', async () => {
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 100
        controller.enqueue(new Uint8Array(100))
      },
    })
    const response = await call(urlOf(hash.slice(2)), { method: 'PUT', body })
    await oneLineError(response, 413, /larger than/)
    assert.ok(sent <= 1200, `read ${sent} bytes`)
  })

  it('lets pages from loopback origins call it, and no others', async () => {
    const preflight = await call(urlOf(hash.slice(2)), {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'PUT' },
    })
    assert.equal(preflight.status, 204)
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://127.0.0.1:5173')
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /PUT/)
    const fromLocalhost = await call(urlOf(hash.slice(2)), {
      headers: { origin: 'http://localhost:3000' },
    })
    assert.equal(fromLocalhost.headers.get('access-control-allow-origin'), 'http://localhost:3000')
    assert.match(fromLocalhost.headers.get('access-control-expose-headers') ?? '', /content-length/)
    for (const origin of ['https://example.com', 'http://127.0.0.1.example.com', 'null']) {
      const response = await call(urlOf(hash.slice(2)), { headers: { origin } })
      assert.equal(response.headers.get('access-control-allow-origin'), null, origin)
    }
  })
})
