import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { sha256 } from 'viem'
import { BlobCorruptedError, BlobNotFoundError, createFsBlobStore } from './blobStore.ts'

describe('fs blob store', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-blobs-'))
  after(() => rm(directory, { recursive: true, force: true }))
  const store = createFsBlobStore(directory)

  it('stores by SHA-256 and returns the same bytes', async () => {
    const bytes = new TextEncoder().encode('ciphertext bytes')
    const hash = await store.put(bytes)
    assert.equal(hash, sha256(bytes))
    assert.deepEqual(await store.get(hash), bytes)
    assert.equal(await store.put(bytes), hash)
  })

  it('reports a missing blob, a blob that does not match its address, and a bad address', async () => {
    await assert.rejects(store.get(sha256(new Uint8Array([9]))), BlobNotFoundError)
    const hash = await store.put(new Uint8Array([1, 2, 3]))
    await writeFile(join(directory, hash.slice(2)), new Uint8Array([1, 2, 4]))
    await assert.rejects(store.get(hash), BlobCorruptedError)
    await assert.rejects(store.get('0x1234'), /not a blob address/)
    await assert.rejects(store.get(`0x${'../'.repeat(21)}a` as `0x${string}`), /not a blob address/)
  })
})
