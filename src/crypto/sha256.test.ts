import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { sha256 } from 'viem'
import { createSha256, sha256Of } from './sha256.ts'

describe('SHA-256', () => {
  it('is the standard digest, whole or in pieces, in node and without it', () => {
    const bytes = new Uint8Array(randomBytes(3 * 2 ** 20 + 7))
    assert.equal(
      sha256Of(new TextEncoder().encode('abc')),
      '0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    assert.equal(sha256Of(bytes), sha256(bytes))
    const inPieces = createSha256()
    for (let at = 0; at < bytes.length; at += 1_000_003)
      inPieces.update(bytes.subarray(at, at + 1_000_003))
    assert.equal(inPieces.digestHex(), sha256(bytes))
    // As a browser runs it: no node:crypto to fetch.
    const getBuiltinModule = process.getBuiltinModule
    try {
      Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true })
      assert.equal(sha256Of(bytes), sha256(bytes))
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', {
        value: getBuiltinModule,
        configurable: true,
      })
    }
  })
})
