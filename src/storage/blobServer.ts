import type { Hex } from 'viem'
import { shortMessageOf } from '../errors.ts'
import { isLoopbackUrl } from '../net/isLoopbackUrl.ts'
import {
  BlobHashMismatchError,
  BlobNotFoundError,
  BlobTooLargeError,
  InvalidBlobAddressError,
} from './blobErrors.ts'
import { blobAddressOf } from './blobHash.ts'
import type { BlobStore } from './blobStore.ts'

export type BlobServerOptions = {
  /** The largest body a PUT may have, in bytes (default 4 GiB); refused before it is read. */
  maxBodyBytes?: number
  /**
   * Which web pages may call the server from a browser, by their `Origin`. Default: pages served
   * from a loopback host (`http://127.0.0.1:*`, `http://localhost:*`, `http://[::1]:*`).
   */
  allowOrigin?: (origin: string) => boolean
}

/** A request handler in the web-standard shape (`fetch(request) → Response`), as hono's. */
export type FetchHandler = { fetch(request: Request): Promise<Response> }

export const defaultMaxBodyBytes = 4 * 2 ** 30

/**
 * The BOCC blob server (`docs/protocol.md`, "Blob server API") over any blob store:
 * `GET /blobs/<sha256 hex>` the bytes, `HEAD` their length, `PUT` stores a body that hashes to its
 * address (201; 400 otherwise). Errors are one-line JSON, `{ "error": "…" }`. A body larger than the
 * limit is refused from its `content-length` before a byte is read, or as soon as it streams past
 * the limit.
 */
export function createBlobServer(store: BlobStore, options: BlobServerOptions = {}): FetchHandler {
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
  const allowOrigin = options.allowOrigin ?? isLoopbackUrl
  return {
    async fetch(request) {
      const origin = request.headers.get('origin')
      const cors = origin && allowOrigin(origin) ? corsHeaders(origin) : {}
      const response = await answer(request).catch(errorResponse)
      for (const [name, value] of Object.entries(cors)) response.headers.set(name, value)
      return response
    },
  }

  async function answer(request: Request): Promise<Response> {
    if (request.method === 'OPTIONS') return new Response(null, { status: 204 })
    const match = /^\/blobs\/([0-9a-fA-F]{64})$/.exec(new URL(request.url).pathname)
    if (!match) return json(404, { error: 'not found: the API is /blobs/<sha256 hex>' })
    const address = blobAddressOf(`0x${match[1]}`)
    switch (request.method) {
      case 'GET':
      case 'HEAD': {
        const size = await store.size(address)
        const headers = blobHeaders(address, size)
        if (request.method === 'HEAD') return new Response(null, { headers })
        return new Response(await store.getStream(address), { headers })
      }
      case 'PUT':
        return put(address, request)
      default:
        return json(405, { error: `method ${request.method} is not allowed` }, { allow })
    }
  }

  async function put(address: Hex, request: Request): Promise<Response> {
    const declared = request.headers.get('content-length')
    if (declared !== null && !(Number(declared) <= maxBodyBytes))
      throw new BlobTooLargeError(maxBodyBytes)
    const body = request.body ?? new Blob([]).stream()
    await store.putStream(body.pipeThrough(limitTo(maxBodyBytes)), { hash: address })
    return json(201, { hash: address })
  }
}

const allow = 'GET, HEAD, PUT, OPTIONS'

function blobHeaders(address: Hex, size: number): HeadersInit {
  return {
    'content-type': 'application/octet-stream',
    'content-length': String(size),
    // A blob never changes under its address.
    'cache-control': 'public, max-age=31536000, immutable',
    etag: `"${address.slice(2)}"`,
  }
}

function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': allow,
    'access-control-allow-headers': 'content-type',
    'access-control-expose-headers': 'content-length, etag',
    'access-control-max-age': '600',
    vary: 'origin',
  }
}

/** A pass-through that errors with {@link BlobTooLargeError} once more than `maxBytes` crossed. */
function limitTo(maxBytes: number): TransformStream<Uint8Array, Uint8Array> {
  let total = 0
  return new TransformStream({
    transform(bytes, controller) {
      total += bytes.length
      if (total > maxBytes) throw new BlobTooLargeError(maxBytes)
      controller.enqueue(bytes)
    },
  })
}

function json(status: number, body: object, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** The answer to a failed request, by the error or the first of its causes the API names. */
function errorResponse(error: unknown): Response {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const status = statusOf(cause)
    if (status) return json(status, { error: shortMessageOf(cause) })
  }
  return json(500, { error: shortMessageOf(error) })
}

function statusOf(error: Error): number | undefined {
  if (error instanceof BlobNotFoundError) return 404
  if (error instanceof BlobHashMismatchError || error instanceof InvalidBlobAddressError) return 400
  if (error instanceof BlobTooLargeError) return 413
  return undefined
}
