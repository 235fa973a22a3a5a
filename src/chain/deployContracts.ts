import { type Address, type Hex, parseEther } from 'viem'
import { BoccError } from '../errors.ts'
import { deployGovernance } from './actions/governance/deployGovernance.ts'
import {
  boccMarketAbi,
  boccMarketBytecode,
  boccTokenAbi,
  boccTokenBytecode,
  catalogAbi,
  catalogBytecode,
  enclaveRegistryAbi,
  enclaveRegistryBytecode,
  leaseMarketAbi,
  leaseMarketBytecode,
} from './artifacts.ts'
import type { SignerConnection } from './connectChain.ts'
import type { Deployment } from './deployment.ts'

export type ProtocolSettings = {
  /** Runtime measurements allowed from the start (the genesis of the transparency log). */
  genesisMeasurements: Hex[]
  /** The verifier committee from the start. */
  committee: Address[]
  committeeThreshold: number
  /** The governance multisig's owners (at least two) and how many must sign a change. */
  governanceOwners: Address[]
  governanceThreshold: number
  /** Seconds a governance change waits on the timelock before it can be executed. */
  timelockDelaySeconds?: number
  /** Seconds between a measurement or committee change's execution and its effect. */
  governanceDelaySeconds?: number
  /** An existing payment token; without it a test token (with a faucet) is deployed. */
  token?: Address
  /** Defaults to the timelock (the protocol's governance). */
  feeReceiver?: Address
  feeBps?: number
  slashBps?: number
  handBackBps?: number
  minStake?: bigint
  unstakeDelaySeconds?: number
  maxOrderDurationSeconds?: number
  minDeliveryWindowSeconds?: number
  challengeWindowSeconds?: number
  responseWindowSeconds?: number
  challengeBond?: bigint
  /** Seconds after a lease ends (and after its last settlement) before it can be finalised. */
  leaseSettlementWindowSeconds?: number
  maxLeaseDurationSeconds?: number
}

/**
 * Deploys BOCC on one chain: governance (a Safe and its timelock), the enclave registry governed
 * by the timelock, the catalog, the market wired to both, and a test token unless one is given.
 */
export async function deployContracts(
  connection: SignerConnection,
  settings: ProtocolSettings,
): Promise<Deployment> {
  const startBlock = await connection.publicClient.getBlockNumber()
  const token =
    settings.token ?? (await deploy(connection, boccTokenAbi, boccTokenBytecode, [])).address
  const governance = await deployGovernance(connection, {
    owners: settings.governanceOwners,
    threshold: settings.governanceThreshold,
    minDelaySeconds: settings.timelockDelaySeconds ?? 2 * 86_400,
  })
  const committee = [...settings.committee].sort((a, b) =>
    BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
  )
  const registry = await deploy(connection, enclaveRegistryAbi, enclaveRegistryBytecode, [
    governance.timelock,
    settings.governanceDelaySeconds ?? 86_400,
    settings.genesisMeasurements,
    committee,
    settings.committeeThreshold,
  ])
  const catalog = await deploy(connection, catalogAbi, catalogBytecode, [])
  const maxOrderDuration = settings.maxOrderDurationSeconds ?? 86_400
  const challengeWindow = settings.challengeWindowSeconds ?? 3_600
  const responseWindow = settings.responseWindowSeconds ?? 3_600
  const market = await deploy(connection, boccMarketAbi, boccMarketBytecode, [
    {
      paymentToken: token,
      registry: registry.address,
      catalog: catalog.address,
      feeReceiver: settings.feeReceiver ?? governance.timelock,
      feeBps: settings.feeBps ?? 100,
      slashBps: settings.slashBps ?? 5_000,
      handBackBps: settings.handBackBps ?? 1_000,
      minStake: settings.minStake ?? parseEther('100'),
      unstakeDelay:
        settings.unstakeDelaySeconds ??
        maxOrderDuration + challengeWindow + responseWindow + 86_400,
      maxOrderDuration,
      minDeliveryWindow: settings.minDeliveryWindowSeconds ?? 30,
      challengeWindow,
      responseWindow,
      challengeBond: settings.challengeBond ?? parseEther('1'),
    },
  ])
  const leases = await deploy(connection, leaseMarketAbi, leaseMarketBytecode, [
    token,
    market.address,
    catalog.address,
    registry.address,
    settings.leaseSettlementWindowSeconds ?? 3_600,
    settings.maxLeaseDurationSeconds ?? 30 * 86_400,
  ])
  return {
    version: 1,
    chainId: connection.chain.id,
    rpcUrl: connection.rpcUrl,
    fromBlock: startBlock,
    contracts: {
      token,
      market: market.address,
      registry: registry.address,
      catalog: catalog.address,
      timelock: governance.timelock,
      safe: governance.safe,
      leases: leases.address,
    },
  }
}

async function deploy(
  connection: SignerConnection,
  abi: readonly unknown[],
  bytecode: Hex,
  args: readonly unknown[],
) {
  const hash = await connection.walletClient.deployContract({
    abi: abi as never,
    bytecode,
    args: args as never,
  })
  const receipt = await connection.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new BoccError('contract deployment failed')
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber }
}
