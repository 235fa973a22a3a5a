import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { spawnService } from '../../src/processes/spawnService.ts'
import { createHttpBlobStore } from '../../src/storage/httpBlobStore.ts'

it('runs as a process of its own over a store named by URL', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-blob-process-'))
  after(() => rm(directory, { recursive: true, force: true }))
  let url = ''
  const service = await spawnService<{ event: string; url: string }>({
    name: 'blob server',
    entry: 'src/storage/main.ts',
    args: ['--store', pathToFileURL(directory).href],
    onEvent: (event) => {
      url = event.url
    },
    isReady: (event) => event.event === 'listening',
  })
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    const store = createHttpBlobStore(url)
    const bytes = new TextEncoder().encode('served by a process')
    const hash = await store.put(bytes)
    assert.deepEqual(await store.get(hash), bytes)
    assert.deepEqual(await readdir(directory), [hash.slice(2)])
  } finally {
    await service.stop()
  }
  await assert.rejects(
    spawnService({
      name: 'blob server',
      entry: 'src/storage/main.ts',
      args: ['--store', 'ftp://nowhere/'],
      onEvent: () => {},
      isReady: () => true,
    }),
    /the blob server stopped \(code 1\): unknown blob store scheme ftp:/,
  )
})
