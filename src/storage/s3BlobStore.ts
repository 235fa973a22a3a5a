import { createReadStream } from 'node:fs'
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import { type Hex, hexToBytes } from 'viem'
import { sha256Of } from '../crypto/sha256.ts'
import { BoccError } from '../errors.ts'
import { BlobNotFoundError, BlobStoreUnavailableError, isPresent } from './blobErrors.ts'
import { blobAddressOf, checkingDownload, checkingUpload, readAll } from './blobHash.ts'
import type { BlobStore } from './blobStore.ts'
import { webStreamOf } from './nodeStreams.ts'
import { spoolToFile } from './spoolToFile.ts'

export type S3BlobStoreOptions = {
  bucket: string
  /** Blobs are keyed `<prefix>/<sha256 hex>` (no prefix: `<sha256 hex>`). */
  prefix?: string
  /** A client of your own; when given, the connection options below are not used. */
  client?: S3Client
  /** The S3 API's URL (default `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, else AWS itself). */
  endpoint?: string
  /** Default `AWS_REGION`, `AWS_DEFAULT_REGION`, the AWS config; `us-east-1` with an endpoint. */
  region?: string
  /** Default: from the AWS environment (`AWS_ACCESS_KEY_ID`, …, profiles, instance roles). */
  credentials?: S3ClientConfig['credentials']
  /** `bucket` in the path rather than the host name (default `AWS_S3_FORCE_PATH_STYLE`, else true with an endpoint). */
  forcePathStyle?: boolean
  /** Attempts per request, with the SDK's exponential backoff (default `AWS_MAX_ATTEMPTS`, else 5). */
  maxAttempts?: number
  /** Multipart part size in bytes (default 8 MiB, at least 5 MiB); a smaller blob goes in one PUT. */
  partSize?: number
  /** Parts uploaded at once (default 2); memory held is about `partSize × queueSize`. */
  queueSize?: number
}

/**
 * A blob store in an S3 bucket, through the AWS SDK (any S3-compatible server). Large blobs go up
 * by multipart upload as they stream; downloads stream. Integrity is checked twice: by the
 * server, from SHA-256 checksum headers where it supports them (a whole-object SHA-256 for a
 * single PUT, one per part for multipart), and by this client, which hashes every blob it sends
 * or reads against its address, and aborts an upload whose body does not match before it
 * completes. Requests are retried with the SDK's standard strategy (exponential backoff with
 * jitter) on network errors, throttling and 5xx answers.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const bucket = options.bucket
  const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '')
  const name = `s3://${bucket}/${prefix}`
  let connected: Promise<S3Client> | undefined
  const connect = () => {
    connected ??= options.client ? Promise.resolve(options.client) : createS3Client(options)
    return connected
  }
  const keyOf = (address: Hex) => (prefix ? `${prefix}/` : '') + address.slice(2)
  const partSize = Math.max(options.partSize ?? 8 << 20, 5 << 20)
  const queueSize = options.queueSize ?? 2

  /** Runs one SDK call; a missing object is {@link BlobNotFoundError}, any other failure says which store. */
  const call = async <T>(
    address: Hex,
    action: (client: S3Client, sdk: AwsSdk) => Promise<T>,
  ): Promise<T> => {
    try {
      const [client, sdk] = await Promise.all([connect(), loadAwsSdk()])
      return await action(client, sdk)
    } catch (error) {
      // Our own errors (a body that does not match its address, one too large) pass unchanged.
      if (error instanceof BoccError) throw error
      if (isMissingObject(error)) throw new BlobNotFoundError(address)
      throw new BlobStoreUnavailableError(name, error)
    }
  }

  const upload = (address: Hex, body: ReadableStream<Uint8Array>) =>
    call(address, async (client, sdk) => {
      const checked = checkingUpload(body, address)
      await new sdk.Upload({
        client,
        params: {
          Bucket: bucket,
          Key: keyOf(address),
          Body: checked.stream,
          ContentType: 'application/octet-stream',
          ChecksumAlgorithm: 'SHA256',
        },
        partSize,
        queueSize,
        leavePartsOnError: false,
      })
        .done()
        .catch((error) => {
          throw checked.failure() ?? error
        })
      return address
    })

  const store: BlobStore = {
    async put(bytes) {
      const address = sha256Of(bytes)
      await call(address, (client, sdk) =>
        client.send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: keyOf(address),
            Body: bytes,
            ContentType: 'application/octet-stream',
            // The server checks the whole object against this SHA-256: its address.
            ChecksumSHA256: Buffer.from(hexToBytes(address)).toString('base64'),
          }),
        ),
      )
      return address
    },
    async putStream(body, parameters = {}) {
      if (parameters.hash !== undefined) return upload(blobAddressOf(parameters.hash), body)
      // The key is the address, so a body of unknown hash is hashed on disk first.
      const spooled = await spoolToFile(body)
      try {
        return await upload(spooled.address, webStreamOf(createReadStream(spooled.path)))
      } finally {
        await spooled.remove()
      }
    },
    get: async (hash) => readAll(await store.getStream(hash)),
    async getStream(hash) {
      const address = blobAddressOf(hash)
      const response = await call(address, (client, sdk) =>
        client.send(
          new sdk.GetObjectCommand({
            Bucket: bucket,
            Key: keyOf(address),
            ChecksumMode: 'ENABLED',
          }),
        ),
      )
      if (!response.Body) throw new BlobNotFoundError(address)
      return checkingDownload(
        response.Body.transformToWebStream() as ReadableStream<Uint8Array>,
        address,
      )
    },
    has: (hash) => isPresent(store.size(hash)),
    async size(hash) {
      const address = blobAddressOf(hash)
      const head = await call(address, (client, sdk) =>
        client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: keyOf(address) })),
      )
      return head.ContentLength ?? 0
    },
  }
  return store
}

/** An S3 client from explicit options, falling back to the standard AWS environment variables. */
export async function createS3Client(
  options: Omit<S3BlobStoreOptions, 'bucket' | 'prefix' | 'client'> = {},
): Promise<S3Client> {
  const { S3Client } = await loadAwsSdk()
  const env = process.env
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL
  const pathStyleVariable = env.AWS_S3_FORCE_PATH_STYLE
  const forcePathStyle =
    options.forcePathStyle ??
    (pathStyleVariable === undefined ? endpoint !== undefined : pathStyleVariable === 'true')
  const region =
    options.region ??
    env.AWS_REGION ??
    env.AWS_DEFAULT_REGION ??
    (endpoint === undefined ? undefined : 'us-east-1')
  const maxAttempts = options.maxAttempts ?? (Number(env.AWS_MAX_ATTEMPTS) || 5)
  return new S3Client({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    forcePathStyle,
    maxAttempts,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  })
}

type AwsSdk = typeof import('@aws-sdk/client-s3') & typeof import('@aws-sdk/lib-storage')
let awsSdk: Promise<AwsSdk> | undefined

/** The AWS SDK, loaded on first use: it takes a good part of a second to load. */
function loadAwsSdk(): Promise<AwsSdk> {
  awsSdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(
    ([s3, storage]) => ({ ...s3, ...storage }),
  )
  return awsSdk
}

function isMissingObject(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } }
  return name === 'NoSuchKey' || (name !== 'NoSuchBucket' && $metadata?.httpStatusCode === 404)
}
