import { readFile } from 'node:fs/promises'
import type { Hex } from 'viem'
import { parsePolicy } from '../../attestation/policy.ts'
import type { Deployment } from '../../chain/deploymentFormat.ts'
import { BoccError, shortMessageOf } from '../../errors.ts'
import type { DevAccount, ExplorerConfig } from '../explorerConfig.ts'

export type ExplorerConfigOfParameters = {
  /** As `readDeployment` gives it: a development policy's path is absolute. */
  deployment: Deployment
  /** Default: the deployment's own. */
  rpcUrl?: string
  /** Default: the deployment's, which must then be an http(s) blob server. */
  blobStoreUrl?: string
  measurements?: Hex[]
  devAccounts?: DevAccount[]
}

/** What a page pointed at this deployment is told, a development network's policy read from its file. */
export async function explorerConfigOf(
  parameters: ExplorerConfigOfParameters,
): Promise<ExplorerConfig> {
  const { deployment } = parameters
  const blobStoreUrl = parameters.blobStoreUrl ?? deployment.blobStore
  if (!blobStoreUrl || !/^https?:\/\//.test(blobStoreUrl))
    throw new BoccError(
      `a page can read only a BOCC blob server (http(s)://…), not ${blobStoreUrl ?? 'no blob store'}; give its URL`,
    )
  let developmentPolicy: ExplorerConfig['developmentPolicy']
  if (deployment.development) {
    const path = deployment.development.policy
    try {
      developmentPolicy = parsePolicy(JSON.parse(await readFile(path, 'utf8')))
    } catch (error) {
      throw new BoccError(`cannot read the development policy ${path}: ${shortMessageOf(error)}`)
    }
  }
  return {
    version: 1,
    deployment,
    rpcUrl: parameters.rpcUrl ?? deployment.rpcUrl,
    blobStoreUrl: blobStoreUrl.endsWith('/') ? blobStoreUrl : `${blobStoreUrl}/`,
    ...(developmentPolicy ? { developmentPolicy } : {}),
    ...(parameters.measurements?.length ? { measurements: parameters.measurements } : {}),
    ...(parameters.devAccounts?.length ? { devWallet: { accounts: parameters.devAccounts } } : {}),
  }
}
