import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import type { Hex } from 'viem'
import { createFsBlobStore } from '../../src/storage/fsBlobStore.ts'
import { createHttpBlobStore } from '../../src/storage/httpBlobStore.ts'
import { openBlobStore } from '../../src/storage/openBlobStore.ts'
import { createS3BlobStore, createS3Client } from '../../src/storage/s3BlobStore.ts'
import { startBlobServer } from '../../src/storage/startBlobServer.ts'
import { startFlakyProxy } from '../support/flakyProxy.ts'
import { startLocalS3Server } from '../support/s3Server.ts'
import { describeBlobStoreContract } from './blobStoreContract.ts'

async function temporaryDirectory() {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-blobs-'))
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) }
}

describeBlobStoreContract('local directory (file://)', async () => {
  const { directory, remove } = await temporaryDirectory()
  return {
    store: openBlobStore(new URL(`file://${directory}/`).href),
    tamper: (hash, bytes) => writeFile(join(directory, hash.slice(2)), bytes),
    close: remove,
  }
})

describeBlobStoreContract(
  'BOCC blob server (http://)',
  async () => {
    const { directory, remove } = await temporaryDirectory()
    const server = await startBlobServer(createFsBlobStore(directory))
    const proxy = await startFlakyProxy(Number(new URL(server.url).port))
    return {
      store: openBlobStore(server.url),
      tamper: (hash, bytes) => writeFile(join(directory, hash.slice(2)), bytes),
      flaky: {
        store: createHttpBlobStore(proxy.url, { retryDelayMs: 10 }),
        dropNext: (count, options) => proxy.dropNext(count, options),
        get dropped() {
          return proxy.dropped
        },
      },
      async close() {
        await proxy.close()
        await server.close()
        await remove()
      },
    }
  },
  { network: true },
)

describeBlobStoreContract(
  'S3 API (s3://, a local s3rver)',
  async () => {
    const s3 = await startLocalS3Server()
    const connection = {
      endpoint: s3.endpoint,
      region: 'us-east-1',
      credentials: s3.credentials,
      forcePathStyle: true,
    }
    const prefix = 'bocc/blobs'
    const raw = await createS3Client(connection)
    const proxy = await startFlakyProxy(s3.port)
    return {
      store: openBlobStore(`s3://${s3.bucket}/${prefix}`, { s3: connection }),
      tamper: async (hash, bytes) => {
        await raw.send(
          new PutObjectCommand({
            Bucket: s3.bucket,
            Key: `${prefix}/${hash.slice(2)}`,
            Body: bytes,
          }),
        )
      },
      flaky: {
        store: createS3BlobStore({ ...connection, endpoint: proxy.url, bucket: s3.bucket, prefix }),
        dropNext: (count, options) => proxy.dropNext(count, options),
        get dropped() {
          return proxy.dropped
        },
      },
      async close() {
        raw.destroy()
        await proxy.close()
        await s3.close()
      },
    }
  },
  { network: true },
)

/** Any S3-compatible endpoint: BOCC_TEST_S3_URL=s3://bucket/prefix and the standard AWS_* variables. */
const s3Url = process.env.BOCC_TEST_S3_URL
describeBlobStoreContract(
  `S3 endpoint from the environment (${s3Url ?? 'BOCC_TEST_S3_URL unset'})`,
  async () => {
    const url = new URL(s3Url as string)
    const bucket = url.hostname
    // A prefix of its own per run, removed afterwards.
    const prefix = `${url.pathname.replace(/^\/+|\/+$/g, '')}/bocc-test-${Date.now()}`.replace(
      /^\//,
      '',
    )
    const raw = await createS3Client()
    const keyOf = (hash: Hex) => `${prefix}/${hash.slice(2)}`
    return {
      store: openBlobStore(`s3://${bucket}/${prefix}`),
      tamper: async (hash, bytes) => {
        await raw.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(hash), Body: bytes }))
      },
      async close() {
        const listed = await raw.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }),
        )
        const keys = (listed.Contents ?? []).flatMap((object) =>
          object.Key ? [{ Key: object.Key }] : [],
        )
        if (keys.length > 0)
          await raw.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }))
        raw.destroy()
      },
    }
  },
  {
    skip: s3Url
      ? false
      : 'set BOCC_TEST_S3_URL=s3://bucket/prefix and the AWS_* variables to run it against an S3 endpoint',
  },
)
