import type { FetchHandler } from '../../storage/blobServer.ts'
import { type ExplorerConfig, encodeExplorerConfig } from '../explorerConfig.ts'
import type { ExplorerAssets } from './bundleExplorer.ts'
import type { DevWallet } from './devWallet.ts'
import { explorerContentSecurityPolicy, explorerPage } from './explorerPage.ts'

export type ExplorerHandlerParameters = {
  config: ExplorerConfig
  assets: ExplorerAssets
  /** Answers `/dev-wallet` for pages this server served, on a loopback host only. */
  devWallet?: DevWallet
  /** Serves the BOCC blob server API under `/blobs/` (a dev network's directory store). */
  blobs?: FetchHandler
}

/**
 * The explorer as a web-standard handler: its page, script, style sheet and `config.json`, and
 * optionally a blob store and a dev network's wallet. Requests must name a loopback host (a page
 * of another site cannot reach it by rebinding a name to 127.0.0.1), and the dev wallet answers
 * only requests the browser says come from this server's own pages.
 */
export function createExplorerHandler(parameters: ExplorerHandlerParameters): FetchHandler {
  const { config, assets } = parameters
  const security = {
    'content-security-policy': `${explorerContentSecurityPolicy(config)}; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  }
  const files: Record<string, { body: string; type: string }> = {
    '/': { body: explorerPage(config), type: 'text/html; charset=utf-8' },
    '/index.html': { body: explorerPage(config), type: 'text/html; charset=utf-8' },
    '/explorer.js': { body: assets.script, type: 'text/javascript; charset=utf-8' },
    '/explorer.css': { body: assets.styleSheet, type: 'text/css; charset=utf-8' },
    '/config.json': { body: encodeExplorerConfig(config), type: 'application/json' },
  }
  return {
    async fetch(request) {
      const url = new URL(request.url)
      if (!isLoopbackHost(request.headers.get('host') ?? url.host))
        return text(421, 'the explorer answers requests to 127.0.0.1 or localhost only')
      if (url.pathname.startsWith('/blobs/') && parameters.blobs)
        return parameters.blobs.fetch(request)
      if (url.pathname === '/dev-wallet' && parameters.devWallet) {
        if (request.method !== 'POST') return text(405, 'POST a JSON-RPC request')
        if (!isSameOrigin(request))
          return text(403, 'the dev wallet answers this explorer’s pages only')
        let body: { method?: unknown; params?: unknown }
        try {
          body = await request.json()
        } catch {
          return text(400, 'the request is not JSON')
        }
        if (typeof body?.method !== 'string') return text(400, 'the request names no method')
        const answer = await parameters.devWallet.request({
          method: body.method,
          params: Array.isArray(body.params) ? body.params : [],
        })
        return new Response(JSON.stringify(answer), {
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...security },
        })
      }
      const file = files[url.pathname]
      if (!file || (request.method !== 'GET' && request.method !== 'HEAD'))
        return text(404, 'not found')
      return new Response(request.method === 'HEAD' ? null : file.body, {
        headers: { 'content-type': file.type, 'cache-control': 'no-cache', ...security },
      })
    },
  }
}

function text(status: number, message: string): Response {
  return new Response(`${message}\n`, { status, headers: { 'content-type': 'text/plain' } })
}

function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '')
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]'
}

/** The browser's word that the request comes from a page of this very origin. */
function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin')
  const host = request.headers.get('host')
  return (
    request.headers.get('sec-fetch-site') === 'same-origin' &&
    origin !== null &&
    host !== null &&
    new URL(origin).host === host
  )
}
