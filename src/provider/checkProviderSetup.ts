import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'
import { formatEther } from 'viem'
import { getMarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import { getStake } from '../chain/actions/market/getStake.ts'
import { getTokenBalance } from '../chain/actions/token/getTokenBalance.ts'
import { connectBoccSigner } from '../chain/boccChain.ts'
import { type Deployment, readDeployment } from '../chain/deployment.ts'
import { type KeyFile, readKeyFile } from '../chain/keyFile.ts'
import { shortMessageOf } from '../errors.ts'
import { type ProviderConfig, ProviderConfigError, readProviderConfig } from './config.ts'
import { providerBlobStore } from './providerBlobStore.ts'

/** One thing `bocc provider check` looked at. */
export type SetupCheck = { name: string; ok: boolean; detail: string }

/**
 * Checks a provider's setup without starting anything: the configuration, the deployment file,
 * the key file (readable by its owner only), the chain (reachable, the deployment's chain, the
 * market deployed), that the stake is affordable, that every committee verifier answers, and
 * that the state and blob directories can be written. Every check runs that can.
 */
export async function checkProviderSetup(
  configFile: string,
  env: Record<string, string | undefined> = process.env,
): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = []
  const check = async (name: string, run: () => Promise<string>) => {
    try {
      checks.push({ name, ok: true, detail: await run() })
      return true
    } catch (error) {
      checks.push({ name, ok: false, detail: shortMessageOf(error) })
      return false
    }
  }
  let config: ProviderConfig
  try {
    config = await readProviderConfig(configFile, env)
    checks.push({ name: 'configuration', ok: true, detail: configFile })
  } catch (error) {
    const problems = error instanceof ProviderConfigError ? error.problems : [shortMessageOf(error)]
    for (const problem of problems)
      checks.push({ name: 'configuration', ok: false, detail: problem })
    return checks
  }
  let deployment: Deployment | undefined
  let key: KeyFile | undefined
  await check('deployment', async () => {
    deployment = await readDeployment(config.deploymentFile)
    return `${config.deploymentFile} (chain ${deployment.chainId})`
  })
  await check('key file', async () => {
    key = await readKeyFile(config.keyFile)
    return `${config.keyFile} (provider ${key.address})`
  })
  if (deployment && key) {
    const found = { deployment, key }
    await check('chain', async () => {
      const chain = await connectBoccSigner(
        found.deployment,
        found.key.privateKey,
        config.rpcUrl ? { rpcUrl: config.rpcUrl } : {},
      )
      const code = await chain.publicClient.getCode({ address: found.deployment.contracts.market })
      if (!code || code === '0x')
        throw new Error(`no BOCC market at ${found.deployment.contracts.market} on this chain`)
      await check('stake', async () => {
        const [settings, stake, balance] = await Promise.all([
          getMarketSettings(chain),
          getStake(chain, { provider: found.key.address }),
          getTokenBalance(chain, { account: found.key.address }),
        ])
        const wanted =
          config.stake !== undefined && config.stake > settings.minStake
            ? config.stake
            : settings.minStake
        const missing = wanted > stake.active ? wanted - stake.active : 0n
        if (missing > balance.wallet)
          throw new Error(
            `staking ${formatEther(wanted)} needs ${formatEther(missing)} more, the wallet holds ${formatEther(balance.wallet)}`,
          )
        return `${formatEther(stake.active)} staked, ${formatEther(wanted)} wanted, ${formatEther(balance.wallet)} in the wallet`
      })
      return `${chain.rpcUrl}, chain ${chain.chain.id}, market ${found.deployment.contracts.market}`
    })
  }
  for (const url of config.committeeUrls)
    await check('committee', async () => {
      const response = await fetch(`${url}/v1/approvals`, {
        method: 'GET',
        signal: AbortSignal.timeout(5_000),
      }).catch((error: unknown) => {
        throw new Error(`${url} does not answer: ${shortMessageOf(error)}`)
      })
      await response.body?.cancel()
      return `${url} answers`
    })
  await check('state directory', async () => {
    await mkdir(config.stateDirectory, { recursive: true, mode: 0o700 })
    await access(config.stateDirectory, constants.W_OK)
    return config.stateDirectory
  })
  if (deployment) {
    const found = deployment
    await check('blob store', async () => {
      const { store, directory } = providerBlobStore(config, found)
      if (directory) {
        await mkdir(directory, { recursive: true })
        await access(directory, constants.W_OK)
        return directory
      }
      // Any address will do: the store answers whether it has it.
      await store.has(`0x${'00'.repeat(32)}`)
      return config.blobStore ?? found.blobStore ?? ''
    })
  }
  return checks
}
