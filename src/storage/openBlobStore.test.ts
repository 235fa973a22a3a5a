import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { BlobStoreUrlError, openBlobStore } from './openBlobStore.ts'

describe('openBlobStore', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-open-'))
  after(() => rm(directory, { recursive: true, force: true }))

  it('opens a directory from a file URL, an absolute path or a ./ path', async () => {
    const bytes = new TextEncoder().encode('blob')
    const viaUrl = await openBlobStore(pathToFileURL(join(directory, 'a')).href).put(bytes)
    const viaPath = await openBlobStore(join(directory, 'b')).put(bytes)
    const viaRelative = await openBlobStore(
      `./${relative(process.cwd(), join(directory, 'c'))}`,
    ).put(bytes)
    assert.equal(viaUrl, viaPath)
    assert.equal(viaUrl, viaRelative)
    for (const folder of ['a', 'b', 'c'])
      assert.deepEqual(await readdir(join(directory, folder)), [viaUrl.slice(2)])
  })

  it('refuses unknown schemes and malformed URLs in one line', () => {
    for (const [url, pattern] of [
      ['ftp://host/blobs', /unknown blob store scheme ftp:/],
      ['blobs', /not a URL: blobs/],
      ['http://[oops/', /not a URL/],
      ['file://server/share', /a directory on this machine/],
      ['http://127.0.0.1:8546/?x=1', /no query/],
      ['s3://No_Such_Bucket/p', /not an S3 bucket name/],
      ['s3://bucket:9000/p', /only s3:\/\/bucket\/prefix/],
      ['s3://bucket/%zz', /percent-encoding/],
    ] as const)
      assert.throws(
        () => openBlobStore(url),
        (error) => {
          assert.ok(error instanceof BlobStoreUrlError, url)
          assert.match(error.shortMessage, pattern)
          assert.match(error.shortMessage, /file:\/\/\/absolute\/dir, http\(s\):\/\/host\/ or s3:/)
          assert.equal(error.shortMessage.includes('\n'), false)
          return true
        },
      )
  })
})
