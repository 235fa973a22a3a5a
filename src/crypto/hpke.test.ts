import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  exportHpkePrivateKey,
  generateHpkeKeyPair,
  importHpkeKeyPair,
  KeyUnwrapError,
  unwrapKey,
  wrapKey,
} from './hpke.ts'

describe('HPKE key wrapping', () => {
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
