import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sha256 } from 'viem'
import { createFsBlobStore } from '../../src/storage/fsBlobStore.ts'
import { type RunningServer, startBlobServer } from '../../src/storage/startBlobServer.ts'
import { type BrowserPage, openPageInChromium, skipWithoutChromium } from '../support/chromium.ts'

/** What a web page does with a blob server: PUT, HEAD and GET one blob, from the page's origin. */
const pageScript = `
  window.roundTrip = async (serverUrl, text) => {
    try {
      const bytes = new TextEncoder().encode(text)
      const hex = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
        .map((byte) => byte.toString(16).padStart(2, '0')).join('')
      const url = serverUrl + 'blobs/' + hex
      const put = await fetch(url, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } })
      const head = await fetch(url, { method: 'HEAD' })
      const get = await fetch(url)
      return {
        put: put.status,
        head: head.status,
        length: head.headers.get('content-length'),
        get: get.status,
        text: await get.text(),
      }
    } catch (error) {
      return { error: String(error) }
    }
  }`

describe('blob server called from a web page (headless Chromium)', {
  skip: skipWithoutChromium,
}, () => {
  let directory: string
  let open: RunningServer
  let closed: RunningServer
  let browser: BrowserPage
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-blobs-browser-'))
    open = await startBlobServer(createFsBlobStore(join(directory, 'open')))
    closed = await startBlobServer(createFsBlobStore(join(directory, 'closed')), {
      allowOrigin: () => false,
    })
    browser = await openPageInChromium(pageScript)
  })
  after(async () => {
    await browser?.close()
    await open?.close()
    await closed?.close()
    await rm(directory, { recursive: true, force: true })
  })

  const roundTrip = (serverUrl: string, text: string) =>
    browser.page.evaluate(
      ([url, body]) =>
        (
          window as unknown as { roundTrip(u: string, t: string): Promise<Record<string, unknown>> }
        ).roundTrip(url, body),
      [serverUrl, text] as const,
    )

  it('lets a page on another 127.0.0.1 port PUT, HEAD and GET', async () => {
    assert.notEqual(new URL(browser.url).port, new URL(open.url).port)
    const text = 'ciphertext from a browser'
    assert.deepEqual(await roundTrip(open.url, text), {
      put: 201,
      head: 200,
      length: String(text.length),
      get: 200,
      text,
    })
    const stored = createFsBlobStore(join(directory, 'open'))
    assert.equal(await stored.has(sha256(new TextEncoder().encode(text))), true)
  })

  it('is closed to pages its CORS policy does not name', async () => {
    const answer = await roundTrip(closed.url, 'refused')
    assert.match(String(answer.error), /TypeError: Failed to fetch/)
    const stored = createFsBlobStore(join(directory, 'closed'))
    assert.equal(await stored.has(sha256(new TextEncoder().encode('refused'))), false)
  })
})
