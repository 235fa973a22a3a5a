import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BoccError } from '../errors.ts'
import type { ProviderMetrics } from './providerMetrics.ts'

/** What `/health` answers: `ok` with 200, anything else with 503. */
export type ProviderHealth = {
  status: 'starting' | 'ok' | 'degraded' | 'stopping'
  /** Why it is not `ok`. */
  problems: string[]
  [detail: string]: unknown
}

export class MetricsPortError extends BoccError {
  override name = 'MetricsPortError'
}

/**
 * The daemon's endpoint: `GET /health` (JSON, for load balancers and supervisors) and
 * `GET /metrics` (Prometheus text format). A handler on web-standard `Request`/`Response`, and a
 * thin Node adapter below.
 */
export function healthHandler(parameters: { metrics: ProviderMetrics; health(): ProviderHealth }) {
  return async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url)
    if (request.method !== 'GET') return new Response('method not allowed\n', { status: 405 })
    if (pathname === '/health') {
      const health = parameters.health()
      return Response.json(health, { status: health.status === 'ok' ? 200 : 503 })
    }
    if (pathname === '/metrics')
      return new Response(await parameters.metrics.registry.metrics(), {
        headers: { 'content-type': parameters.metrics.registry.contentType },
      })
    return new Response('not found\n', { status: 404 })
  }
}

/** Serves the handler on `host:port` (port 0: any free one); resolves with its URL. */
export async function startHealthServer(
  handler: (request: Request) => Promise<Response>,
  listen: { host: string; port: number },
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (incoming, outgoing) => {
    try {
      const response = await handler(
        new Request(`http://${listen.host}${incoming.url ?? '/'}`, { method: incoming.method }),
      )
      outgoing.writeHead(response.status, Object.fromEntries(response.headers))
      outgoing.end(Buffer.from(await response.arrayBuffer()))
    } catch {
      outgoing.writeHead(500).end()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new MetricsPortError(
          `cannot serve metrics on ${listen.host}:${listen.port} (${(error as NodeJS.ErrnoException).code}); choose another metrics port`,
        ),
      ),
    )
    server.listen(listen.port, listen.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
