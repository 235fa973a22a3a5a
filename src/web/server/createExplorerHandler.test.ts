import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { ExplorerConfig } from '../explorerConfig.ts'
import { createExplorerHandler } from './createExplorerHandler.ts'

const address = `0x${'12'.repeat(20)}` as const
const config: ExplorerConfig = {
  version: 1,
  deployment: {
    version: 1,
    chainId: 1,
    rpcUrl: 'https://rpc.example/',
    fromBlock: 1n,
    contracts: {
      token: address,
      market: address,
      registry: address,
      catalog: address,
      timelock: address,
      safe: address,
    },
  },
  rpcUrl: 'https://rpc.example/',
  blobStoreUrl: 'https://blobs.example/store/',
}
const handler = createExplorerHandler({ config, assets: { script: 'void 0', styleSheet: 'p{}' } })
const get = (path: string, host = '127.0.0.1:8080', init: RequestInit = {}) =>
  handler.fetch(
    new Request(`http://127.0.0.1${path}`, { ...init, headers: { host, ...init.headers } }),
  )

it('serves the page with a policy that lets it connect only to itself, its RPC and its blob store', async () => {
  const page = await get('/')
  assert.equal(page.status, 200)
  const policy = page.headers.get('content-security-policy') ?? ''
  assert.match(policy, /connect-src 'self' https:\/\/rpc\.example https:\/\/blobs\.example;/)
  assert.match(policy, /default-src 'none'/)
  assert.match(await page.text(), /http-equiv="Content-Security-Policy"/)
  assert.equal(
    JSON.parse(await (await get('/config.json')).text()).blobStoreUrl,
    config.blobStoreUrl,
  )
  assert.equal(await (await get('/explorer.js')).text(), 'void 0')
})

it('answers loopback host names only, and has no dev wallet unless given one', async () => {
  assert.equal((await get('/', 'evil.example')).status, 421)
  assert.equal((await get('/', 'localhost:1')).status, 200)
  assert.equal(
    (await get('/dev-wallet', '127.0.0.1:8080', { method: 'POST', body: '{}' })).status,
    404,
  )
  assert.equal((await get('/blobs/00')).status, 404)
})
