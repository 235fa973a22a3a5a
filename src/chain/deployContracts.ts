import { type Address, type Hex, parseEther } from 'viem'
import { BoccError } from '../errors.ts'
import {
  boccProtocolAbi,
  boccProtocolBytecode,
  boccTokenAbi,
  boccTokenBytecode,
} from './artifacts.ts'
import type { SignerConnection } from './connectChain.ts'

/** Where BOCC lives on one chain: everything a client needs besides the RPC URL. */
export type Deployment = {
  chainId: number
  token: Address
  protocol: Address
  /** Block of the protocol's deployment, where log scans start. */
  fromBlock: bigint
}

export type ProtocolSettings = {
  /** Runtime measurements allowed from the start (the genesis of the transparency log). */
  genesisMeasurements: Hex[]
  /** The verifier committee from the start. */
  committee: Address[]
  committeeThreshold: number
  /** Defaults to the deployer. */
  governor?: Address
  feeReceiver?: Address
  governanceDelaySeconds?: number
  minStake?: bigint
  unstakeDelaySeconds?: number
  feeBps?: number
  slashBps?: number
  maxOrderDurationSeconds?: number
}

/** Deploys the test payment token and the protocol. */
export async function deployContracts(
  connection: SignerConnection,
  settings: ProtocolSettings,
): Promise<Deployment> {
  const token = await deploy(connection, boccTokenAbi, boccTokenBytecode, [])
  const deployer = connection.account.address
  const committee = [...settings.committee].sort((a, b) =>
    BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
  )
  const config = {
    paymentToken: token.address,
    governor: settings.governor ?? deployer,
    governanceDelay: settings.governanceDelaySeconds ?? 86_400,
    genesisMeasurements: settings.genesisMeasurements,
    genesisCommittee: committee,
    committeeThreshold: settings.committeeThreshold,
    minStake: settings.minStake ?? parseEther('100'),
    unstakeDelay: settings.unstakeDelaySeconds ?? 7 * 86_400,
    feeReceiver: settings.feeReceiver ?? deployer,
    feeBps: settings.feeBps ?? 100,
    slashBps: settings.slashBps ?? 5_000,
    maxOrderDuration: settings.maxOrderDurationSeconds ?? 86_400,
  }
  const protocol = await deploy(connection, boccProtocolAbi, boccProtocolBytecode, [config])
  return {
    chainId: connection.chain.id,
    token: token.address,
    protocol: protocol.address,
    fromBlock: protocol.blockNumber,
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
