import { type Hex, withRetry } from 'viem'
import { sha256Of } from '../crypto/sha256.ts'
import { BoccError } from '../errors.ts'
import {
  BlobCorruptedError,
  BlobNotFoundError,
  BlobStoreUnavailableError,
  isPresent,
} from './blobErrors.ts'
import { blobAddressOf, checkingDownload, checkingUpload, readAll } from './blobHash.ts'
import type { BlobStore } from './blobStore.ts'

export type HttpBlobStoreOptions = {
  /** Retries after a network error or a 5xx answer, never after a 4xx (default 4). */
  retries?: number
  /** The first retry's delay in ms, doubled for each next one, with jitter (default 200). */
  retryDelayMs?: number
  /** The `fetch` to use (default the global one). */
  fetch?: typeof fetch
}

/**
 * Holds a streamed upload until its address is known and gives its body, again for each retry.
 * Node spools to a temporary file (`createHttpBlobStore`); the default keeps it in memory.
 */
export type UploadSpooler = (
  body: ReadableStream<Uint8Array>,
  expected: Hex | undefined,
) => Promise<{ address: Hex; body(): Promise<Blob | Uint8Array>; remove(): Promise<void> }>

/** A streamed upload held in memory, checked against `expected`: for browsers. */
const spoolInMemory: UploadSpooler = async (body, expected) => {
  const upload = checkingUpload(body, expected)
  const bytes = await readAll(upload.stream)
  return { address: upload.address(), body: async () => bytes, remove: async () => {} }
}

/** The blob server refused a request (a 4xx answer other than 404). */
export class BlobRefusedError extends BoccError {
  override name = 'BlobRefusedError'
  constructor(parameters: { store: string; status: number; message: string }) {
    super(
      `the blob store ${parameters.store} refused the request (HTTP ${parameters.status}): ${parameters.message}`,
    )
  }
}

/** A 5xx answer: worth a retry, like a network error. */
class ServerFailedError extends BoccError {
  override name = 'ServerFailedError'
  constructor(status: number, message: string) {
    super(`HTTP ${status}: ${message}`)
  }
}

/**
 * A client of a BOCC blob server (`docs/protocol.md`, "Blob server API") at `baseUrl`:
 * `GET|HEAD|PUT <baseUrl>blobs/<sha256 hex>`, in any runtime with `fetch` (browsers too).
 * Downloads stream and are checked against their address; a streamed upload is first held by
 * `spool` while it is hashed, because the server needs the address before the body and a retry
 * needs the body again. Network errors and 5xx answers are retried with exponential backoff;
 * 4xx answers are not.
 */
export function createHttpBlobClient(
  baseUrl: string,
  options: HttpBlobStoreOptions & { spool?: UploadSpooler } = {},
): BlobStore {
  const spool = options.spool ?? spoolInMemory
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new BoccError(`a blob server URL is http(s)://…, not ${base.protocol}`)
  const store = base.href
  const fetchFn = options.fetch ?? fetch
  const retryDelayMs = options.retryDelayMs ?? 200
  const urlOf = (address: Hex) => new URL(`blobs/${address.slice(2)}`, base)

  /** One request, retried; resolves to an answer that is neither 5xx nor a network failure. */
  const send = <T>(attempt: () => Promise<T>): Promise<T> =>
    withRetry(attempt, {
      retryCount: options.retries ?? 4,
      delay: ({ count }) => retryDelayMs * 2 ** count * (0.5 + Math.random() / 2),
      shouldRetry: ({ error }) => isWorthRetrying(error),
    }).catch((error) => {
      throw isWorthRetrying(error) ? new BlobStoreUnavailableError(store, error) : error
    })

  const request = async (address: Hex, init: RequestInit): Promise<Response> => {
    const response = await fetchFn(urlOf(address), init)
    if (response.status === 404) {
      await response.body?.cancel()
      throw new BlobNotFoundError(address)
    }
    if (response.ok) return response
    const message = await errorMessageOf(response)
    if (response.status >= 500) throw new ServerFailedError(response.status, message)
    throw new BlobRefusedError({ store, status: response.status, message })
  }

  const upload = async (address: Hex, body: () => Promise<Blob | Uint8Array>) => {
    await send(async () => {
      const response = await request(address, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: (await body()) as BodyInit,
      })
      await response.body?.cancel()
    })
    return address
  }

  const blobStore: BlobStore = {
    put: async (bytes) => upload(sha256Of(bytes), async () => bytes),
    async putStream(body, parameters = {}) {
      const expected = parameters.hash === undefined ? undefined : blobAddressOf(parameters.hash)
      const spooled = await spool(body, expected)
      try {
        return await upload(spooled.address, spooled.body)
      } finally {
        await spooled.remove()
      }
    },
    async get(hash) {
      const address = blobAddressOf(hash)
      // The body is read inside the retried attempt, so a connection lost midway is retried too.
      const bytes = await send(async () => readAll((await request(address, {})).body ?? empty()))
      if (sha256Of(bytes) !== address) throw new BlobCorruptedError(address)
      return bytes
    },
    async getStream(hash) {
      const address = blobAddressOf(hash)
      const response = await send(() => request(address, {}))
      return checkingDownload(response.body ?? empty(), address)
    },
    has: (hash) => isPresent(blobStore.size(hash)),
    async size(hash) {
      const address = blobAddressOf(hash)
      const response = await send(() => request(address, { method: 'HEAD' }))
      const length = Number(response.headers.get('content-length'))
      if (!Number.isSafeInteger(length) || length < 0)
        throw new BlobRefusedError({ store, status: response.status, message: 'no content-length' })
      return length
    },
  }
  return blobStore
}

/** Network failures (fetch rejects with a TypeError) and 5xx answers; never an abort. */
function isWorthRetrying(error: unknown): boolean {
  return (
    error instanceof ServerFailedError ||
    (error instanceof TypeError && error.name !== 'AbortError')
  )
}

/** The server's one-line `{ "error": … }`, or the status text. */
async function errorMessageOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const { error } = JSON.parse(text) as { error?: unknown }
    if (typeof error === 'string') return error
  } catch {}
  return response.statusText || 'no reason given'
}

function empty(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() })
}
