import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { concatBytes } from 'viem'
import {
  createDecryptingStream,
  createEncryptingStream,
  decryptObject,
} from '../../src/crypto/chunkedAead.ts'
import {
  type BrowserPage,
  bundleForBrowser,
  openPageInChromium,
  skipWithoutChromium,
} from '../support/chromium.ts'

/** The chunked AEAD streams bundled for browsers, exposed to the page as `window.boccAead`. */
const pageScript = `
  import { createDecryptingStream, createEncryptingStream } from './src/crypto/chunkedAead.ts'
  import { defaultAesGcmBackend } from './src/crypto/chunkCipher.ts'
  const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  const base64 = (bytes) => {
    let text = ''
    for (let i = 0; i < bytes.length; i += 0x8000)
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return btoa(text)
  }
  const streamOf = (bytes, pieceSize) => {
    let offset = 0
    return new ReadableStream({
      pull(controller) {
        if (offset >= bytes.length) return controller.close()
        controller.enqueue(bytes.slice(offset, offset + pieceSize))
        offset += pieceSize
      },
    })
  }
  const collect = async (stream) => {
    const pieces = []
    const reader = stream.getReader()
    for (let read = await reader.read(); !read.done; read = await reader.read()) pieces.push(read.value)
    const joined = new Uint8Array(pieces.reduce((length, piece) => length + piece.length, 0))
    let offset = 0
    for (const piece of pieces) {
      joined.set(piece, offset)
      offset += piece.length
    }
    return joined
  }
  window.boccAead = {
    backend: () => defaultAesGcmBackend(),
    async encrypt({ plaintext, chunkSize, pieceSize }) {
      const encrypting = createEncryptingStream({ chunkSize })
      const ciphertext = await collect(streamOf(bytes(plaintext), pieceSize).pipeThrough(encrypting.stream))
      return { key: base64(encrypting.key), ciphertext: base64(ciphertext) }
    },
    async decrypt({ key, ciphertext, pieceSize }) {
      try {
        const stream = streamOf(bytes(ciphertext), pieceSize).pipeThrough(createDecryptingStream(bytes(key)))
        return { plaintext: base64(await collect(stream)) }
      } catch (error) {
        return { error: error.shortMessage ?? String(error) }
      }
    },
  }`

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'))

type Aead = {
  backend(): string
  encrypt(a: { plaintext: string; chunkSize: number; pieceSize: number }): Promise<{
    key: string
    ciphertext: string
  }>
  decrypt(a: { key: string; ciphertext: string; pieceSize: number }): Promise<{
    plaintext?: string
    error?: string
  }>
}

async function inNode(stream: TransformStream<Uint8Array, Uint8Array>, input: Uint8Array) {
  const pieces: Uint8Array[] = []
  const writer = stream.writable.getWriter()
  const writing = writer.write(input).then(() => writer.close())
  for await (const piece of stream.readable) pieces.push(piece)
  await writing
  return concatBytes(pieces)
}

/** Objects streamed through WebCrypto in Chromium and through node:crypto must be the same bytes. */
describe('chunked AEAD streams in a browser (headless Chromium)', {
  skip: skipWithoutChromium,
}, () => {
  let browser: BrowserPage
  const plaintext = crypto.getRandomValues(new Uint8Array(60_000))
  const chunkSize = 4096

  before(async () => {
    browser = await openPageInChromium(await bundleForBrowser(pageScript))
  })
  after(() => browser?.close())

  const call = <Name extends 'backend' | 'encrypt' | 'decrypt'>(
    name: Name,
    argument?: Parameters<Aead[Name]>[0],
  ) =>
    browser.page.evaluate(
      ([name, argument]) =>
        (window as unknown as { boccAead: Record<string, (a: unknown) => unknown> }).boccAead[
          name as string
        ]?.(argument),
      [name, argument] as const,
    ) as Promise<Awaited<ReturnType<Aead[Name]>>>

  it('runs on WebCrypto there, with node:crypto absent', async () => {
    assert.equal(await call('backend'), 'webcrypto')
  })

  it('round-trips a streamed object that Node then decrypts with node:crypto', async () => {
    const sealed = await call('encrypt', {
      plaintext: base64(plaintext),
      chunkSize,
      pieceSize: 1000,
    })
    const opened = await call('decrypt', { ...sealed, pieceSize: 777 })
    assert.equal(opened.error, undefined)
    assert.deepEqual(bytes(opened.plaintext ?? ''), plaintext)
    const key = bytes(sealed.key)
    const ciphertext = bytes(sealed.ciphertext)
    assert.deepEqual(await decryptObject(key, ciphertext, { backend: 'node' }), plaintext)
    assert.deepEqual(
      await inNode(createDecryptingStream(key, { backend: 'node' }), ciphertext),
      plaintext,
    )
  })

  it('decrypts what Node streamed through node:crypto, and finds it cut short', async () => {
    const encrypting = createEncryptingStream({ chunkSize, backend: 'node' })
    const ciphertext = await inNode(encrypting.stream, plaintext)
    const key = base64(encrypting.key)
    const opened = await call('decrypt', { key, ciphertext: base64(ciphertext), pieceSize: 5000 })
    assert.deepEqual(bytes(opened.plaintext ?? ''), plaintext)
    const cut = ciphertext.subarray(0, 8 + (chunkSize + 16) * 3)
    const truncated = await call('decrypt', { key, ciphertext: base64(cut), pieceSize: 5000 })
    assert.match(truncated.error ?? '', /final chunk 2 failed authentication/)
  })
})
