import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { concatBytes } from 'viem'
import { CiphertextCorruptedError, decryptObject, encryptObject } from './chunkedAead.ts'

const headerLength = 8
const tagLength = 16

function randomBytes(length: number) {
  const bytes = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += 65536)
    crypto.getRandomValues(bytes.subarray(offset, offset + 65536))
  return bytes
}

describe('chunked AEAD', () => {
  it('round-trips empty, one-chunk, exact-multiple and ragged objects', async () => {
    for (const [length, chunkSize] of [
      [0, 16],
      [5, 16],
      [64, 16],
      [1000, 16],
      [3 << 20, 1 << 20],
    ] as const) {
      const plaintext = randomBytes(length)
      const { key, ciphertext } = await encryptObject(plaintext, { chunkSize })
      assert.deepEqual(await decryptObject(key, ciphertext), plaintext)
    }
  })

  it('uses a fresh key for every object', async () => {
    const plaintext = new TextEncoder().encode('same plaintext')
    const first = await encryptObject(plaintext)
    const second = await encryptObject(plaintext)
    assert.notDeepEqual(first.key, second.key)
    assert.notDeepEqual(first.ciphertext, second.ciphertext)
  })

  const chunkSize = 16
  const sealed = chunkSize + tagLength
  const plaintext = randomBytes(chunkSize * 4 + 7) // five chunks, the last one short

  async function rejects(mutate: (ciphertext: Uint8Array) => Uint8Array, pattern: RegExp) {
    const { key, ciphertext } = await encryptObject(plaintext, { chunkSize })
    await assert.rejects(decryptObject(key, mutate(ciphertext.slice())), (error: unknown) => {
      assert.ok(error instanceof CiphertextCorruptedError)
      assert.match(error.shortMessage, pattern)
      return true
    })
  }

  it('rejects a flipped bit in any chunk, tag or header', async () => {
    const { ciphertext } = await encryptObject(plaintext, { chunkSize })
    for (const position of [4, 7, headerLength, headerLength + 20, ciphertext.length - 1]) {
      await rejects((c) => {
        c[position] = (c[position] ?? 0) ^ 1
        return c
      }, /corrupted|tampered/)
    }
  })

  it('rejects chunks dropped from the end (truncation at a chunk boundary)', async () => {
    await rejects((c) => c.subarray(0, headerLength + sealed * 2), /final chunk 1/)
  })

  it('rejects truncation inside a chunk', async () => {
    await rejects((c) => c.subarray(0, c.length - 3), /final chunk/)
  })

  it('rejects reordered chunks', async () => {
    await rejects((c) => {
      const first = c.slice(headerLength, headerLength + sealed)
      const second = c.slice(headerLength + sealed, headerLength + 2 * sealed)
      c.set(second, headerLength)
      c.set(first, headerLength + sealed)
      return c
    }, /chunk 0/)
  })

  it('rejects an appended chunk', async () => {
    await rejects((c) => {
      const extra = c.slice(headerLength, headerLength + sealed)
      return concatBytes([c, extra])
    }, /failed authentication/)
  })

  it('rejects the wrong key and inputs that are not objects', async () => {
    const { ciphertext } = await encryptObject(plaintext, { chunkSize })
    await assert.rejects(decryptObject(randomBytes(32), ciphertext), CiphertextCorruptedError)
    await assert.rejects(decryptObject(randomBytes(32), randomBytes(10)), /too short/)
    await assert.rejects(decryptObject(randomBytes(32), randomBytes(100)), /not a BOCC/)
  })
})
