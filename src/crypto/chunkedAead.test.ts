import assert from 'node:assert/strict'
import { createDecipheriv } from 'node:crypto'
import { describe, it } from 'node:test'
import { concatBytes } from 'viem'
import {
  CiphertextCorruptedError,
  createDecryptingStream,
  createEncryptingStream,
  decryptObject,
  encryptObject,
} from './chunkedAead.ts'

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

/** Writes `pieces` through `stream`; what came out before it ended, and how it ended. */
async function through(stream: TransformStream<Uint8Array, Uint8Array>, pieces: Uint8Array[]) {
  const output: Uint8Array[] = []
  const writing = (async () => {
    const writer = stream.writable.getWriter()
    for (const piece of pieces) await writer.write(piece)
    await writer.close()
  })()
  writing.catch(() => {})
  let error: unknown
  try {
    for await (const piece of stream.readable) output.push(piece.slice())
  } catch (caught) {
    error = caught
  }
  return { output: concatBytes(output), error }
}

function withByte(bytes: Uint8Array, position: number, value: number) {
  bytes[position] = value
  return bytes
}

/** `bytes` cut into pieces of varied sizes, empty ones included. */
function cut(bytes: Uint8Array, sizes = [0, 1, 7, 16, 33, 5000]): Uint8Array[] {
  const pieces: Uint8Array[] = []
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number
    pieces.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return pieces
}

describe('chunked AEAD streams', () => {
  const backends = ['node', 'webcrypto'] as const

  it('give the same bytes as the one-shot API, each reading the other, on both backends', async () => {
    for (const length of [0, 1, 15, 16, 17, 64, 1000, 3000]) {
      const plaintext = randomBytes(length)
      for (const encryptWith of backends)
        for (const decryptWith of backends) {
          const encrypting = createEncryptingStream({ chunkSize: 16, backend: encryptWith })
          const streamed = await through(encrypting.stream, cut(plaintext))
          assert.equal(streamed.error, undefined)
          assert.deepEqual(
            await decryptObject(encrypting.key, streamed.output, { backend: decryptWith }),
            plaintext,
          )
          const oneShot = await encryptObject(plaintext, { chunkSize: 16, backend: encryptWith })
          const opened = await through(
            createDecryptingStream(oneShot.key, { backend: decryptWith }),
            cut(oneShot.ciphertext, [3, 40, 1, 0, 100]),
          )
          assert.equal(opened.error, undefined)
          assert.deepEqual(opened.output, plaintext)
        }
    }
  })

  it('follow docs/protocol.md byte for byte (checked with raw node:crypto AES-256-GCM)', async () => {
    const plaintext = randomBytes(100)
    const encrypting = createEncryptingStream({ chunkSize: 32 })
    const { output } = await through(encrypting.stream, [plaintext])
    const header = output.subarray(0, headerLength)
    assert.deepEqual([...header], [0x42, 0x43, 0x41, 0x31, 0, 0, 0, 32])
    const opened: Uint8Array[] = []
    for (let index = 0; index < 4; index++) {
      const sealed = output.subarray(headerLength + index * 48, headerLength + (index + 1) * 48)
      const nonce = new Uint8Array(12)
      nonce[10] = index
      nonce[11] = index === 3 ? 1 : 0
      const decipher = createDecipheriv('aes-256-gcm', encrypting.key, nonce)
      decipher.setAAD(header)
      decipher.setAuthTag(sealed.subarray(sealed.length - tagLength))
      opened.push(decipher.update(sealed.subarray(0, sealed.length - tagLength)), decipher.final())
    }
    assert.equal(output.length, headerLength + 100 + 4 * tagLength)
    assert.deepEqual(new Uint8Array(Buffer.concat(opened)), plaintext)
  })

  async function tamperedStream(mutate: (ciphertext: Uint8Array) => Uint8Array) {
    const plaintext = randomBytes(16 * 4 + 7)
    const { key, ciphertext } = await encryptObject(plaintext, { chunkSize: 16 })
    return {
      plaintext,
      ...(await through(createDecryptingStream(key), cut(mutate(ciphertext.slice())))),
    }
  }

  it('release only chunks that authenticated, then error at the altered one', async () => {
    const position = headerLength + 2 * 32 + 5
    const { plaintext, output, error } = await tamperedStream((c) =>
      withByte(c, position, (c[position] ?? 0) ^ 1),
    )
    assert.ok(error instanceof CiphertextCorruptedError)
    assert.match(error.shortMessage, /chunk 2 failed authentication/)
    assert.deepEqual(output, plaintext.subarray(0, 32))
  })

  it('error at the end when the final chunk is missing, truncated or followed by more', async () => {
    for (const [mutate, pattern] of [
      [(c: Uint8Array) => c.subarray(0, headerLength + 32 * 2), /final chunk 1 failed/],
      [(c: Uint8Array) => c.subarray(0, c.length - 3), /final chunk 4 failed/],
      [(c: Uint8Array) => c.subarray(0, headerLength + 32 * 4 + 10), /chunk 4 is truncated/],
      [(c: Uint8Array) => concatBytes([c, c.subarray(headerLength, headerLength + 32)]), /chunk 4/],
    ] as const) {
      const { error } = await tamperedStream(mutate)
      assert.ok(error instanceof CiphertextCorruptedError)
      assert.match(error.shortMessage, pattern)
    }
  })

  it('refuse an altered header, an empty or short stream, and chunks that are not bytes', async () => {
    for (const [mutate, pattern] of [
      [(c: Uint8Array) => withByte(c, 0, 0x41), /not a BOCC/],
      [(c: Uint8Array) => withByte(c, 7, 17), /chunk 0 failed/],
      [(c: Uint8Array) => withByte(c, 4, 0xff), /invalid chunk size/],
      [(c: Uint8Array) => c.subarray(0, 0), /too short/],
      [(c: Uint8Array) => c.subarray(0, 5), /too short/],
    ] as const) {
      const { error } = await tamperedStream(mutate)
      assert.ok(error instanceof CiphertextCorruptedError, String(error))
      assert.match(error.shortMessage, pattern)
    }
    const { error } = await through(createEncryptingStream().stream, [
      'text' as unknown as Uint8Array,
    ])
    assert.match(String(error), /takes Uint8Array chunks/)
  })

  it('hold back the writer while the reader does not read (bounded memory)', async () => {
    const { stream } = createEncryptingStream({ chunkSize: 1024 })
    const writer = stream.writable.getWriter()
    const writes = Array.from({ length: 64 }, () => writer.write(new Uint8Array(1024)))
    for (const write of writes) write.catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.ok((writer.desiredSize ?? 0) < -60, `desired size ${writer.desiredSize}`)
    const reader = stream.readable.getReader()
    for (let read = 0; read < 4; read++) await reader.read()
    await reader.cancel()
  })
})
