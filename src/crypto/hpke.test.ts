import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Aes256Gcm, CipherSuite, HkdfSha256 } from '@hpke/core'
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519'
import { bytesToHex, hexToBytes } from 'viem'
import {
  exportHpkePrivateKey,
  generateHpkeKeyPair,
  importHpkeKeyPair,
  KeyUnwrapError,
  openAndExport,
  sealAndExport,
  unwrapKey,
  wrapKey,
  x25519Implementation,
} from './hpke.ts'

describe('HPKE key wrapping', () => {
  it('uses WebCrypto X25519 in Node, which opens what the pure-JavaScript fallback seals', async () => {
    assert.equal(await x25519Implementation(), 'webcrypto')
    const recipient = await generateHpkeKeyPair()
    // A browser without WebCrypto X25519 seals with the fallback: the same RFC 9180 bytes.
    const fallback = new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Aes256Gcm(),
    })
    const sender = await fallback.createSenderContext({
      recipientPublicKey: await fallback.kem.deserializePublicKey(
        hexToBytes(recipient.publicKey).buffer as ArrayBuffer,
      ),
      info: new TextEncoder().encode('BOCC/lease-request/v1').buffer as ArrayBuffer,
    })
    const ciphertext = await sender.seal(key.slice().buffer, aad.slice().buffer)
    const opened = await openAndExport({
      recipientPrivateKey: recipient.privateKey,
      wrapped: {
        enc: bytesToHex(new Uint8Array(sender.enc)),
        ciphertext: bytesToHex(new Uint8Array(ciphertext)),
      },
      info: 'BOCC/lease-request/v1',
      aad,
      exporterContext: 'BOCC/lease-response/v1',
      exportLength: 32,
    })
    assert.deepEqual(opened.plaintext, key)
    const exported = await sender.export(
      new TextEncoder().encode('BOCC/lease-response/v1').buffer as ArrayBuffer,
      32,
    )
    assert.deepEqual(opened.exportedSecret, new Uint8Array(exported))
  })

  const key = crypto.getRandomValues(new Uint8Array(32))
  const aad = new TextEncoder().encode('input 0x01')
  const info = 'BOCC test key'

  it('exports a private key as a copy: wiping it leaves the pair usable, and it imports back', async () => {
    const recipient = await generateHpkeKeyPair()
    const wrapped = await wrapKey({ recipientPublicKey: recipient.publicKey, key, info, aad })
    const exported = await exportHpkePrivateKey(recipient)
    const imported = await importHpkeKeyPair({
      privateKey: exported,
      publicKey: recipient.publicKey,
    })
    exported.fill(0)
    for (const pair of [recipient, imported])
      assert.deepEqual(
        await unwrapKey({ recipientPrivateKey: pair.privateKey, wrapped, info, aad }),
        key,
      )
  })

  it('exports further secrets from one context, the same at both ends and each its own', async () => {
    const recipient = await generateHpkeKeyPair()
    const aad = new Uint8Array([1, 2, 3])
    const exports = {
      exporterContext: 'BOCC/lease-response/v1',
      exportLength: 32,
      moreExporterContexts: ['BOCC/lease-session/v1'],
    }
    const sealed = await sealAndExport({
      recipientPublicKey: recipient.publicKey,
      key: new Uint8Array([9]),
      info: 'BOCC/lease-request/v1',
      aad,
      ...exports,
    })
    const opened = await openAndExport({
      recipientPrivateKey: recipient.privateKey,
      wrapped: sealed,
      info: 'BOCC/lease-request/v1',
      aad,
      ...exports,
    })
    assert.deepEqual(opened.exportedSecret, sealed.exportedSecret)
    assert.equal(opened.moreSecrets.length, 1)
    assert.deepEqual(opened.moreSecrets[0], sealed.moreSecrets[0])
    assert.notDeepEqual(sealed.moreSecrets[0], sealed.exportedSecret)
  })

  it('wraps and unwraps a key for the recipient', async () => {
    const recipient = await generateHpkeKeyPair()
    const wrapped = await wrapKey({ recipientPublicKey: recipient.publicKey, key, info, aad })
    assert.match(wrapped.enc, /^0x[0-9a-f]{64}$/)
    const opened = await unwrapKey({
      recipientPrivateKey: recipient.privateKey,
      wrapped,
      info,
      aad,
    })
    assert.deepEqual(opened, key)
  })

  it('refuses another recipient, another context, other bound data or a changed ciphertext', async () => {
    const recipient = await generateHpkeKeyPair()
    const stranger = await generateHpkeKeyPair()
    const wrapped = await wrapKey({ recipientPublicKey: recipient.publicKey, key, info, aad })
    const open = (overrides: Partial<Parameters<typeof unwrapKey>[0]>) =>
      unwrapKey({ recipientPrivateKey: recipient.privateKey, wrapped, info, aad, ...overrides })
    await assert.rejects(open({ recipientPrivateKey: stranger.privateKey }), KeyUnwrapError)
    await assert.rejects(open({ info: 'BOCC other purpose' }), KeyUnwrapError)
    await assert.rejects(open({ aad: new TextEncoder().encode('input 0x02') }), KeyUnwrapError)
    const flipped = `${wrapped.ciphertext.slice(0, -1)}${wrapped.ciphertext.endsWith('0') ? '1' : '0'}`
    await assert.rejects(
      open({ wrapped: { ...wrapped, ciphertext: flipped as `0x${string}` } }),
      KeyUnwrapError,
    )
  })
})
