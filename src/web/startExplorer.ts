import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import { type Deployment, readDeployment } from '../chain/deployment.ts'
import { BoccError } from '../errors.ts'
import { createBlobServer } from '../storage/blobServer.ts'
import { createFsBlobStore } from '../storage/fsBlobStore.ts'
import { serveFetch } from '../storage/startBlobServer.ts'
import { bundleExplorer } from './server/bundleExplorer.ts'
import { createExplorerHandler } from './server/createExplorerHandler.ts'
import { createDevWallet, devAccountsOf } from './server/devWallet.ts'
import { explorerConfigOf } from './server/explorerConfigOf.ts'

export type StartExplorerParameters = (
  | { deploymentFile: string; deployment?: never }
  | { deployment: Deployment; deploymentFile?: never }
) & {
  /** Default: the deployment's. */
  rpcUrl?: string
  /**
   * The BOCC blob server the page reads; default the deployment's. A `file://` store is served by
   * the explorer itself under `/blobs/`.
   */
  blobStoreUrl?: string
  /** A development network's dev keys, by role, that pages this server serves may act with. */
  devKeys?: Record<string, Hex>
  /** Measurements the production policy accepts (default: those the on-chain log lists). */
  measurements?: Hex[]
  /** Default 0: any free port. Always on 127.0.0.1. */
  port?: number
}

export type RunningExplorer = { url: string; close(): Promise<void> }

/**
 * Serves the web explorer on 127.0.0.1: every page reads the chain and the blob store from the
 * browser and verifies orders there. With `devKeys` (development networks only) pages can place,
 * cancel and refund orders as those accounts, signed by this server.
 */
export async function startExplorer(parameters: StartExplorerParameters): Promise<RunningExplorer> {
  const deployment =
    parameters.deployment ?? (await readDeployment(parameters.deploymentFile as string))
  const storeUrl = parameters.blobStoreUrl ?? deployment.blobStore
  const servesBlobs = storeUrl?.startsWith('file:') === true
  const devKeys = parameters.devKeys ?? {}
  if (Object.keys(devKeys).length > 0 && !deployment.development)
    throw new BoccError('dev keys are offered on development networks only')
  const [assets, devWallet] = await Promise.all([
    bundleExplorer(),
    Object.keys(devKeys).length > 0
      ? createDevWallet({ deployment, rpcUrl: parameters.rpcUrl ?? deployment.rpcUrl, devKeys })
      : undefined,
  ])
  // The page's own origin serves a directory store; its URL is known once the port is.
  let handler: ReturnType<typeof createExplorerHandler> | undefined
  const server = await serveFetch(
    { fetch: (request) => (handler as ReturnType<typeof createExplorerHandler>).fetch(request) },
    { port: parameters.port ?? 0 },
  )
  try {
    const config = await explorerConfigOf({
      deployment,
      ...(parameters.rpcUrl ? { rpcUrl: parameters.rpcUrl } : {}),
      ...(servesBlobs ? { blobStoreUrl: server.url } : storeUrl ? { blobStoreUrl: storeUrl } : {}),
      ...(parameters.measurements ? { measurements: parameters.measurements } : {}),
      devAccounts: devAccountsOf(devKeys),
    })
    handler = createExplorerHandler({
      config,
      assets,
      ...(devWallet ? { devWallet } : {}),
      ...(servesBlobs
        ? { blobs: createBlobServer(createFsBlobStore(fileURLToPath(storeUrl as string))) }
        : {}),
    })
  } catch (error) {
    await server.close()
    throw error
  }
  return { url: server.url, close: () => server.close() }
}
