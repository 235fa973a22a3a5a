import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { type Hex, sha256 } from 'viem'
import {
  BlobCorruptedError,
  BlobHashMismatchError,
  BlobNotFoundError,
  type BlobStore,
} from '../../src/storage/blobStore.ts'

export type BlobStoreFixture = {
  store: BlobStore
  /** Replaces what the backend holds for `hash` with `bytes`, behind the store's back. */
  tamper(hash: Hex, bytes: Uint8Array): Promise<void>
  /**
   * A store on the same backend reached through a link that drops connections on demand; absent
   * for stores without a network.
   */
  flaky?: {
    store: BlobStore
    dropNext(count: number, options?: { afterResponseBytes?: number }): void
    readonly dropped: number
  }
  close(): Promise<void>
}

const MiB = 1 << 20

/** `size` bytes made on the fly, 1 MiB at a time (each piece a fresh buffer), never all held. */
function generatedStream(size: number, seed: number): ReadableStream<Uint8Array> {
  const block = new Uint8Array(MiB)
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761 + seed) >>> 24
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= size) return controller.close()
      const piece = block.slice(0, Math.min(MiB, size - offset))
      new DataView(piece.buffer).setUint32(0, offset / MiB)
      offset += piece.length
      controller.enqueue(piece)
    },
  })
}

async function addressOfStream(stream: ReadableStream<Uint8Array>) {
  const hash = createHash('sha256')
  let size = 0
  for await (const piece of stream) {
    hash.update(piece)
    size += piece.length
  }
  return { address: `0x${hash.digest('hex')}` as Hex, size }
}

async function rejectsWith(promise: Promise<unknown>, errorClass: new (...a: never[]) => Error) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`)
    return true
  })
}

/** The behaviour every BlobStore must have, run against one backend. */
export function describeBlobStoreContract(
  name: string,
  setUp: () => Promise<BlobStoreFixture>,
  options: { skip?: string | false; network?: boolean } = {},
) {
  describe(`blob store contract: ${name}`, { skip: options.skip ?? false }, () => {
    let fixture: BlobStoreFixture
    let store: BlobStore
    before(async () => {
      fixture = await setUp()
      store = fixture.store
    })
    after(() => fixture?.close())

    it('stores by SHA-256 and gives back the same bytes, whole or streamed', async () => {
      for (const bytes of [new Uint8Array(0), new TextEncoder().encode('ciphertext bytes')]) {
        const hash = await store.put(bytes)
        assert.equal(hash, sha256(bytes))
        assert.deepEqual(await store.get(hash), bytes)
        assert.deepEqual(await store.get(hash.toUpperCase().replace('0X', '0x') as Hex), bytes)
        assert.equal(await store.has(hash), true)
        assert.equal(await store.size(hash), bytes.length)
        assert.deepEqual(await addressOfStream(await store.getStream(hash)), {
          address: hash,
          size: bytes.length,
        })
        assert.equal(await store.put(bytes), hash)
      }
    })

    it('streams a 64 MiB blob in and out without holding it', async () => {
      const size = 64 * MiB
      const { address } = await addressOfStream(generatedStream(size, 1))
      assert.equal(await store.putStream(generatedStream(size, 1), { hash: address }), address)
      assert.equal(await store.size(address), size)
      assert.deepEqual(await addressOfStream(await store.getStream(address)), { address, size })
    })

    it('finds the address of a streamed blob it was not told', async () => {
      const size = 12 * MiB + 5
      const { address } = await addressOfStream(generatedStream(size, 2))
      assert.equal(await store.putStream(generatedStream(size, 2)), address)
      assert.deepEqual(await addressOfStream(await store.getStream(address)), { address, size })
    })

    it('reports a missing blob', async () => {
      const missing = sha256(new TextEncoder().encode('never stored'))
      await rejectsWith(store.get(missing), BlobNotFoundError)
      await rejectsWith(store.getStream(missing), BlobNotFoundError)
      await rejectsWith(store.size(missing), BlobNotFoundError)
      assert.equal(await store.has(missing), false)
    })

    it('refuses a body that does not hash to its address, and stores nothing', async () => {
      for (const size of [1000, 12 * MiB]) {
        const claimed = sha256(new TextEncoder().encode(`claimed ${size}`))
        await rejectsWith(
          store.putStream(generatedStream(size, 3), { hash: claimed }),
          BlobHashMismatchError,
        )
        assert.equal(await store.has(claimed), false)
      }
    })

    it('catches a blob changed behind its back, whole or streamed', async () => {
      const bytes = new Uint8Array(randomBytes(100_000))
      const hash = await store.put(bytes)
      const altered = bytes.slice()
      altered[50_000] = (altered[50_000] ?? 0) ^ 1
      await fixture.tamper(hash, altered)
      await rejectsWith(store.get(hash), BlobCorruptedError)
      const pieces: Uint8Array[] = []
      await rejectsWith(
        (async () => {
          for await (const piece of await store.getStream(hash)) pieces.push(piece)
        })(),
        BlobCorruptedError,
      )
    })

    it('takes concurrent puts of the same blob', async () => {
      const bytes = new Uint8Array(randomBytes(300_000))
      const streamed = () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.slice(0, 1000))
            controller.enqueue(bytes.slice(1000))
            controller.close()
          },
        })
      const hashes = await Promise.all([
        store.put(bytes),
        store.putStream(streamed()),
        store.put(bytes),
        store.putStream(streamed(), { hash: sha256(bytes) }),
      ])
      assert.deepEqual(new Set(hashes), new Set([sha256(bytes)]))
      assert.deepEqual(await store.get(sha256(bytes)), bytes)
    })

    const skipRetries = options.network ? false : 'a local store has no connection to drop'
    it('retries when the server drops the connection', { skip: skipRetries }, async () => {
      const flaky = fixture.flaky
      assert.ok(flaky, 'a store with a network has a flaky link to test')
      const bytes = new Uint8Array(randomBytes(200_000))
      const droppedBefore = flaky.dropped
      flaky.dropNext(2)
      const hash = await flaky.store.put(bytes)
      flaky.dropNext(2)
      assert.deepEqual(await flaky.store.get(hash), bytes)
      flaky.dropNext(1)
      assert.equal(await flaky.store.has(hash), true)
      const { address } = await addressOfStream(generatedStream(3 * MiB, 4))
      flaky.dropNext(2)
      assert.equal(await flaky.store.putStream(generatedStream(3 * MiB, 4)), address)
      assert.equal(flaky.dropped - droppedBefore, 7)
    })
  })
}
