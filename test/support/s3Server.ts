import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'

export type LocalS3Server = {
  /** `http://127.0.0.1:<port>` */
  endpoint: string
  port: number
  bucket: string
  credentials: { accessKeyId: string; secretAccessKey: string }
  close(): Promise<void>
}

/**
 * A local S3 API server for tests (s3rver: pure JS, objects in a temporary directory, SigV4
 * signatures checked), on 127.0.0.1, with one empty bucket.
 */
export async function startLocalS3Server(): Promise<LocalS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-s3-'))
  const bucket = 'bocc-test'
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  })
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    bucket,
    // s3rver's fixed test credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
