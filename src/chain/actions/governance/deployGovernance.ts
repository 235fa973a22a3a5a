import {
  type Abi,
  type Address,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  parseEventLogs,
  type TransactionReceipt,
  zeroAddress,
} from 'viem'
import { BoccError } from '../../../errors.ts'
import { timelockAbi } from '../../abis.ts'
import { timelockControllerBytecode } from '../../artifacts.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { safe, safeProxyFactory } from '../../safeArtifacts.ts'
import { sendTransactionAndWait, type TransactionSending } from '../../sendTransactionAndWait.ts'

export type DeployGovernanceParameters = {
  /** The multisig's owners (at least two: governance is never one key). */
  owners: readonly Address[]
  /** Owner signatures a change needs (at least two). */
  threshold: number
  /** Seconds between scheduling a change on the timelock and executing it. */
  minDelaySeconds: number
}

export type DeployGovernanceReturnType = {
  /** The Safe multisig that proposes and executes changes. */
  safe: Address
  /** OpenZeppelin's TimelockController: the registry's governor. */
  timelock: Address
}

export class GovernanceConfigError extends BoccError {
  override name = 'GovernanceConfigError'
}

/**
 * Deploys BOCC's governance from existing, well-kept contracts: the audited Safe v1.4.1 build
 * (singleton, proxy factory, one Safe proxy with the owners) and OpenZeppelin's
 * TimelockController, whose only proposer and executor is that Safe and which administers
 * itself. No single key can change what the registry trusts.
 */
export async function deployGovernance(
  connection: SignerConnection,
  parameters: DeployGovernanceParameters,
  sending: TransactionSending = {},
): Promise<DeployGovernanceReturnType> {
  const owners = [...new Set(parameters.owners.map((owner) => owner.toLowerCase() as Address))]
  if (parameters.threshold < 2 || parameters.threshold > owners.length)
    throw new GovernanceConfigError(
      `governance needs a threshold of at least 2 owners (got ${parameters.threshold} of ${owners.length})`,
    )
  const singleton = await deploy(connection, sending, safe.abi, safe.bytecode)
  const factory = await deploy(connection, sending, safeProxyFactory.abi, safeProxyFactory.bytecode)
  const initializer = encodeFunctionData({
    abi: safe.abi,
    functionName: 'setup',
    args: [
      owners,
      BigInt(parameters.threshold),
      zeroAddress,
      '0x',
      zeroAddress,
      zeroAddress,
      0n,
      zeroAddress,
    ],
  })
  const { receipt } = await sendTransactionAndWait(connection, {
    ...sending,
    to: factory,
    data: encodeFunctionData({
      abi: safeProxyFactory.abi,
      functionName: 'createProxyWithNonce',
      args: [singleton, initializer, 0n],
    }),
  })
  const [created] = parseEventLogs({ abi: safeProxyFactory.abi, logs: receipt.logs }) as {
    eventName: string
    args: { proxy?: Address }
  }[]
  const safeAddress = created?.args.proxy
  if (receipt.status !== 'success' || !safeAddress)
    throw new BoccError('creating the governance Safe failed')
  const timelock = await deploy(connection, sending, timelockAbi, timelockControllerBytecode, [
    BigInt(parameters.minDelaySeconds),
    [safeAddress],
    [safeAddress],
    zeroAddress,
  ])
  return { safe: safeAddress, timelock }
}

/** Deploys one contract, waiting for its confirmations; answers its address and receipt. */
export async function deployContract(
  connection: SignerConnection,
  sending: TransactionSending,
  abi: Abi,
  bytecode: Hex,
  args: readonly unknown[] = [],
): Promise<{ address: Address; blockNumber: bigint; receipt: TransactionReceipt }> {
  const { receipt } = await sendTransactionAndWait(connection, {
    ...sending,
    data: encodeDeployData({ abi, bytecode, args } as unknown as Parameters<
      typeof encodeDeployData
    >[0]),
  })
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new BoccError(`contract deployment failed (transaction ${receipt.transactionHash})`)
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber, receipt }
}

async function deploy(...parameters: Parameters<typeof deployContract>): Promise<Address> {
  return (await deployContract(...parameters)).address
}
