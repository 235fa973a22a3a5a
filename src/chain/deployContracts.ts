import { type Abi, type Address, type Hex, parseEther, zeroAddress } from 'viem'
import type { TcbStatus } from '../attestation/types.ts'
import { BoccError } from '../errors.ts'
import { deployContract, deployGovernance } from './actions/governance/deployGovernance.ts'
import { attachMarket } from './actions/market/attachMarket.ts'
import { deployTdxQuoteVerifier } from './actions/tdx/deployTdxQuoteVerifier.ts'
import { hasP256Precompile } from './actions/tdx/hasP256Precompile.ts'
import { tdxTcbStatuses } from './actions/tdx/tdxVerdictNames.ts'
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
import type { TransactionSending } from './sendTransactionAndWait.ts'

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
  /**
   * Registration by on-chain TDX quote verification. By default the verifier is deployed, pinned
   * to Intel's SGX Root CA, where the chain answers the P-256 precompile (EIP-7951), and left out
   * (committee only) where it does not; `'intel'` requires it, `'none'` leaves it out. A
   * development chain (chain id 31337) may instead trust a stand-in root certificate (DER, tests
   * only): the registry refuses one anywhere else, and the production policy refuses its enclaves.
   */
  tdxVerification?: 'intel' | 'none' | { standInRootCertificate: Uint8Array }
  /** TCB statuses an enclave verified on-chain may have, at registration and whenever it is used. Default `['UpToDate']`, as the production policy. */
  acceptedTcbStatuses?: TcbStatus[]
}

/** The chain id of anvil and Hardhat: the only chain a stand-in Intel root may be deployed on. */
export const developmentChainId = 31_337

export class TdxVerificationUnavailableError extends BoccError {
  override name = 'TdxVerificationUnavailableError'
}

/**
 * Deploys BOCC on one chain: governance (a Safe and its timelock), the on-chain TDX verifier where
 * the chain can run it, the enclave registry governed by the timelock, the catalog, the market
 * wired to both (both attached to the market, which they push their changes to), and a
 * test token unless one is given. Each transaction of the contracts BOCC deploys itself waits for `sending.confirmations` and is sent again if it is dropped.
 */
export async function deployContracts(
  connection: SignerConnection,
  settings: ProtocolSettings,
  sending: TransactionSending = {},
): Promise<Deployment> {
  const deploy = (abi: Abi, bytecode: Hex, args: readonly unknown[]) =>
    deployContract(connection, sending, abi, bytecode, args)
  const startBlock = await connection.publicClient.getBlockNumber({ cacheTime: 0 })
  const token = settings.token ?? (await deploy(boccTokenAbi, boccTokenBytecode, [])).address
  const governance = await deployGovernance(
    connection,
    {
      owners: settings.governanceOwners,
      threshold: settings.governanceThreshold,
      minDelaySeconds: settings.timelockDelaySeconds ?? 2 * 86_400,
    },
    sending,
  )
  const committee = [...settings.committee].sort((a, b) =>
    BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
  )
  const registry = await deploy(enclaveRegistryAbi, enclaveRegistryBytecode, [
    governance.timelock,
    settings.governanceDelaySeconds ?? 86_400,
    settings.genesisMeasurements,
    committee,
    settings.committeeThreshold,
    await deployTdxVerification(connection, settings.tdxVerification, sending),
    acceptedTcbStatusesMask(settings.acceptedTcbStatuses ?? ['UpToDate']),
  ])
  const catalog = await deploy(catalogAbi, catalogBytecode, [])
  const maxOrderDuration = settings.maxOrderDurationSeconds ?? 86_400
  const challengeWindow = settings.challengeWindowSeconds ?? 3_600
  const responseWindow = settings.responseWindowSeconds ?? 3_600
  const market = await deploy(boccMarketAbi, boccMarketBytecode, [
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
  // The registry and the catalog push every change the market keeps a copy of.
  await attachMarket(connection, { ...sending, source: registry.address, market: market.address })
  await attachMarket(connection, { ...sending, source: catalog.address, market: market.address })
  const leases = await deploy(leaseMarketAbi, leaseMarketBytecode, [
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

/** The verifier registration by quote uses, or the zero address for committee-only registration. */
async function deployTdxVerification(
  connection: SignerConnection,
  choice: ProtocolSettings['tdxVerification'],
  sending: TransactionSending,
): Promise<Address> {
  if (choice === 'none') return zeroAddress
  const standIn = typeof choice === 'object' ? choice.standInRootCertificate : undefined
  if (standIn && connection.chain.id !== developmentChainId)
    throw new TdxVerificationUnavailableError(
      `a stand-in Intel root is for development chains (id ${developmentChainId}) only, not chain ${connection.chain.id}`,
    )
  if (!(await hasP256Precompile(connection))) {
    if (choice === undefined) return zeroAddress
    throw new TdxVerificationUnavailableError(
      `chain ${connection.chain.id} does not answer the P-256 precompile (EIP-7951, osaka): on-chain TDX verification cannot run there`,
    )
  }
  const { verifier } = await deployTdxQuoteVerifier(
    connection,
    standIn ? { standInRootCertificate: standIn } : {},
    sending,
  )
  return verifier
}

/** Bit i set for TcbStatus i of contracts/attestation/ITdxQuoteVerifier.sol. */
function acceptedTcbStatusesMask(statuses: TcbStatus[]): number {
  return statuses.reduce((mask, status) => mask | (1 << tdxTcbStatuses.indexOf(status)), 0)
}
