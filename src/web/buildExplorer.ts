import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { type Deployment, readDeployment } from '../chain/deployment.ts'
import { encodeExplorerConfig } from './explorerConfig.ts'
import { bundleExplorer } from './server/bundleExplorer.ts'
import { explorerConfigOf } from './server/explorerConfigOf.ts'
import { explorerPage } from './server/explorerPage.ts'

export type BuildExplorerParameters = (
  | { deploymentFile: string; deployment?: never }
  | { deployment: Deployment; deploymentFile?: never }
) & {
  /** The folder the static files are written to (created if needed). */
  outDirectory: string
  /** Default: the deployment's. */
  rpcUrl?: string
  /** The BOCC blob server the page reads (http(s)); default the deployment's. */
  blobStoreUrl?: string
  /** Measurements the production policy accepts (default: those the on-chain log lists). */
  measurements?: Hex[]
}

/** The files a static explorer consists of, by name. */
export const staticExplorerFiles = ['index.html', 'explorer.js', 'explorer.css', 'config.json']

/**
 * Writes the explorer as static files any web server can host: the page, its script and style
 * sheet, and `config.json` naming the deployment, RPC and blob store. A static build never holds
 * a key (no dev wallet); on a development network it carries that network's policy.
 */
export async function buildExplorer(parameters: BuildExplorerParameters): Promise<string[]> {
  const deployment =
    parameters.deployment ?? (await readDeployment(parameters.deploymentFile as string))
  const [assets, config] = await Promise.all([
    bundleExplorer(),
    explorerConfigOf({
      deployment,
      ...(parameters.rpcUrl ? { rpcUrl: parameters.rpcUrl } : {}),
      ...(parameters.blobStoreUrl ? { blobStoreUrl: parameters.blobStoreUrl } : {}),
      ...(parameters.measurements ? { measurements: parameters.measurements } : {}),
    }),
  ])
  await mkdir(parameters.outDirectory, { recursive: true })
  const contents = [
    explorerPage(config),
    assets.script,
    assets.styleSheet,
    encodeExplorerConfig(config),
  ]
  const paths = staticExplorerFiles.map((name) => join(parameters.outDirectory, name))
  await Promise.all(paths.map((path, index) => writeFile(path, contents[index] as string)))
  return paths
}
