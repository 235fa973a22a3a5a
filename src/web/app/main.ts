// The explorer page: reads where it points from `config.json` beside it, connects to the chain
// and the blob store, and renders. Everything it shows it reads and verifies here.
import { render } from 'preact'
import { getTokenInfo } from '../../chain/actions/token/getTokenInfo.ts'
import { connectBoccChain } from '../../chain/boccChain.ts'
import { shortMessageOf } from '../../errors.ts'
import { createHttpBlobClient } from '../../storage/httpBlobClient.ts'
import { decodeExplorerConfig } from '../explorerConfig.ts'
import { App } from './App.ts'
import { html } from './html.ts'

const root = document.getElementById('app') as HTMLElement

try {
  const response = await fetch('config.json', { cache: 'no-cache' })
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`)
  const config = decodeExplorerConfig(await response.text())
  const chain = await connectBoccChain(config.deployment, { rpcUrl: config.rpcUrl })
  const [token, head] = await Promise.all([
    getTokenInfo(chain),
    chain.publicClient.getBlockNumber(),
  ])
  const blobs = createHttpBlobClient(config.blobStoreUrl)
  root.replaceChildren()
  render(
    html`<${App} config=${config} chain=${chain} blobs=${blobs} token=${token} head=${head} />`,
    root,
  )
} catch (error) {
  root.replaceChildren()
  render(
    html`<p class="error" role="alert">The explorer cannot start: ${shortMessageOf(error)}</p>`,
    root,
  )
}
