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
 * request body is read only as far as the handler reads it (a body it refused is not drained: the
 * connection is closed instead).
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
  // A body the handler did not read to its end is not drained: this connection ends here.
  if (hasBody && !request.complete) response.setHeader('connection', 'close')
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

/** The request body as a web stream that reads the socket only when pulled. */
function bodyOf(request: IncomingMessage): ReadableStream<Uint8Array> {
  const pieces = request[Symbol.asyncIterator]()
  return new ReadableStream(
    {
      async pull(controller) {
        const next = await pieces.next()
        if (next.done) return controller.close()
        const piece = next.value as Buffer
        controller.enqueue(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength))
      },
      async cancel() {
        await pieces.return?.()
      },
    },
    { highWaterMark: 0 },
  )
}
