import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { PortInUseError } from '../chain/startLocalChain.ts'
import { shortMessageOf } from '../errors.ts'
import { type BlobServerOptions, createBlobServer, type FetchHandler } from './blobServer.ts'
import type { BlobStore } from './blobStore.ts'

export type ServeOptions = {
  /** The address to listen on (default 127.0.0.1: the server is reachable from this machine only). */
  host?: string
  /** The port (default 0: any free one). */
  port?: number
}

export type RunningServer = { url: string; server: Server; close(): Promise<void> }

/** The BOCC blob server over `store`, served by Node on 127.0.0.1 unless told otherwise. */
export function startBlobServer(
  store: BlobStore,
  options: BlobServerOptions & ServeOptions = {},
): Promise<RunningServer> {
  return serveFetch(createBlobServer(store, options), options)
}

/**
 * Serves a web-standard handler with `node:http`: request and response bodies stream, and a
 * request body is read only as far as the handler reads it (what is left of a body it refused is
 * dropped for a moment, then the connection is closed).
 */
export async function serveFetch(
  handler: FetchHandler,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 0
  const server = createServer((request, response) => {
    respond(handler, request, response).catch(() => response.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error),
    )
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as { port: number }
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${address.port}/`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function respond(handler: FetchHandler, request: IncomingMessage, response: ServerResponse) {
  const aborted = new AbortController()
  response.once('close', () => aborted.abort())
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers))
    for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one)
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  const answer = await handler
    .fetch(
      new Request(new URL(request.url ?? '/', 'http://127.0.0.1'), {
        method: request.method,
        headers,
        body: hasBody ? bodyOf(request) : undefined,
        signal: aborted.signal,
        duplex: 'half',
      } as RequestInit),
    )
    .catch(
      (error) =>
        new Response(`${JSON.stringify({ error: shortMessageOf(error) })}\n`, {
          status: 500,
          headers: { 'content-type': 'application/json' },
        }),
    )
  // A body the handler did not read to its end is not stored: it is discarded for a moment, so
  // that a client still sending can read the answer, then its connection is closed. (With
  // `connection: close`, Node would reset the connection at once, answer unread.)
  if (hasBody && !request.complete) response.once('finish', () => lingerThenClose(request))
  response.writeHead(answer.status, Object.fromEntries(answer.headers))
  if (!answer.body || request.method === 'HEAD') {
    await answer.body?.cancel()
    response.end()
    return
  }
  const declared = Number(answer.headers.get('content-length') ?? Number.NaN)
  let sent = 0
  try {
    for await (const piece of answer.body) {
      sent += piece.length
      if (!response.write(piece)) await once(response, 'drain', { signal: aborted.signal })
    }
    response.end()
  } catch {
    // All the bytes announced went out: end cleanly and leave the judgement to the reader, who
    // checks the hash (a blob that failed the server's own check is reported at the end).
    if (sent === declared) response.end()
    else response.destroy()
  }
}

/** How long a refused body is discarded before its connection is closed. */
const lingerMs = 1000

function lingerThenClose(request: IncomingMessage) {
  const timer = setTimeout(() => request.socket.destroy(), lingerMs)
  request.socket.once('close', () => clearTimeout(timer))
  // No 'data' listener is left: flowing, the rest of the body is read and dropped.
  request.resume()
}

/**
 * The request body as a web stream that reads the socket only when pulled. Cancelling it stops
 * reading without destroying the socket, so the answer can still be sent.
 */
function bodyOf(request: IncomingMessage): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  const onData = (piece: Buffer) => {
    request.pause()
    controller?.enqueue(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength))
  }
  const onEnd = () => {
    controller?.close()
    detach()
  }
  const onError = (error: Error) => {
    controller?.error(error)
    detach()
  }
  const detach = () => {
    request.off('data', onData)
    request.off('end', onEnd)
    request.off('error', onError)
    controller = undefined
  }
  // An error after the handler stopped reading concerns no one but this connection.
  request.on('error', () => {})
  return new ReadableStream<Uint8Array>(
    {
      start(started) {
        controller = started
        request.pause()
        request.on('data', onData)
        request.on('end', onEnd)
        request.on('error', onError)
      },
      pull() {
        request.resume()
      },
      cancel() {
        request.pause()
        detach()
      },
    },
    { highWaterMark: 0 },
  )
}
