import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BoccError } from '../errors.ts'
import type { BlobStore } from './blobStore.ts'
import { createFsBlobStore } from './fsBlobStore.ts'
import { createHttpBlobStore, type HttpBlobStoreOptions } from './httpBlobStore.ts'
import { createS3BlobStore, type S3BlobStoreOptions } from './s3BlobStore.ts'

export class BlobStoreUrlError extends BoccError {
  override name = 'BlobStoreUrlError'
  constructor(url: string, reason: string) {
    super(
      `${reason}: ${url.slice(0, 200)} (a blob store is file:///absolute/dir, http(s)://host/ or s3://bucket/prefix)`,
    )
  }
}

export type OpenBlobStoreOptions = {
  http?: HttpBlobStoreOptions
  /** For `s3://` URLs; the bucket and prefix come from the URL. */
  s3?: Omit<S3BlobStoreOptions, 'bucket' | 'prefix'>
}

/**
 * The blob store a URL names (as `blobStore` in `deployment.json`): `file:///absolute/dir` (a
 * local directory; a plain absolute or `./` path works too), `http(s)://host/` (a BOCC blob
 * server) or `s3://bucket/prefix` (endpoint, region and credentials from the AWS environment or
 * `options.s3`).
 */
export function openBlobStore(url: string, options: OpenBlobStoreOptions = {}): BlobStore {
  if (isAbsolute(url) || url.startsWith('./') || url.startsWith('../'))
    return createFsBlobStore(resolve(url))
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new BlobStoreUrlError(url, 'not a URL')
  }
  switch (parsed.protocol) {
    case 'file:':
      if (parsed.host !== '' && parsed.host !== 'localhost')
        throw new BlobStoreUrlError(url, 'a file URL names a directory on this machine')
      return createFsBlobStore(fileURLToPath(parsed))
    case 'http:':
    case 'https:':
      if (parsed.search || parsed.hash || parsed.username || parsed.password)
        throw new BlobStoreUrlError(url, 'a blob server URL has no query, fragment or credentials')
      return createHttpBlobStore(parsed.href, options.http)
    case 's3:': {
      const bucket = parsed.hostname
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
        throw new BlobStoreUrlError(url, 'not an S3 bucket name')
      if (parsed.search || parsed.hash || parsed.port || parsed.username)
        throw new BlobStoreUrlError(url, 'an S3 URL is only s3://bucket/prefix')
      let prefix: string
      try {
        prefix = decodeURIComponent(parsed.pathname)
      } catch {
        throw new BlobStoreUrlError(url, 'the S3 prefix is not valid percent-encoding')
      }
      return createS3BlobStore({ ...options.s3, bucket, prefix })
    }
    default:
      throw new BlobStoreUrlError(url, `unknown blob store scheme ${parsed.protocol}`)
  }
}
