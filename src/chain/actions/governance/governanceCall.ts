import {
  type Address,
  concatHex,
  encodeFunctionData,
  type Hex,
  type LocalAccount,
  zeroAddress,
  zeroHash,
} from 'viem'
import { timelockAbi } from '../../abis.ts'
import type { BoccSigner } from '../../boccChain.ts'
import { safe } from '../../safeArtifacts.ts'
import {
  type WriteContractAndWaitReturnType,
  writeContractAndWait,
} from '../../writeContractAndWait.ts'

/** A call the governance makes through its timelock (for example to the registry). */
export type GovernanceCall = {
  target: Address
  data: Hex
  /** Distinguishes equal calls; any 32 bytes. */
  salt?: Hex
}

export type GovernanceStep = 'schedule' | 'execute'

/** The timelock call that schedules or executes `call`. */
export function timelockCallData(call: GovernanceCall, step: GovernanceStep, delay = 0n): Hex {
  const salt = call.salt ?? zeroHash
  return step === 'schedule'
    ? encodeFunctionData({
        abi: timelockAbi,
        functionName: 'schedule',
        args: [call.target, 0n, call.data, zeroHash, salt, delay],
      })
    : encodeFunctionData({
        abi: timelockAbi,
        functionName: 'execute',
        args: [call.target, 0n, call.data, zeroHash, salt],
      })
}

const safeTxTypes = {
  SafeTx: [
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'data', type: 'bytes' },
    { name: 'operation', type: 'uint8' },
    { name: 'safeTxGas', type: 'uint256' },
    { name: 'baseGas', type: 'uint256' },
    { name: 'gasPrice', type: 'uint256' },
    { name: 'gasToken', type: 'address' },
    { name: 'refundReceiver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const

/** One Safe owner's EIP-712 signature of a Safe transaction calling `to` with `data`. */
export function signSafeTransaction(
  owner: LocalAccount,
  parameters: { chainId: number; safe: Address; to: Address; data: Hex; nonce: bigint },
): Promise<Hex> {
  return owner.signTypedData({
    domain: { chainId: parameters.chainId, verifyingContract: parameters.safe },
    types: safeTxTypes,
    primaryType: 'SafeTx',
    message: {
      to: parameters.to,
      value: 0n,
      data: parameters.data,
      operation: 0,
      safeTxGas: 0n,
      baseGas: 0n,
      gasPrice: 0n,
      gasToken: zeroAddress,
      refundReceiver: zeroAddress,
      nonce: parameters.nonce,
    },
  })
}

export type RunGovernanceStepParameters = {
  call: GovernanceCall
  step: GovernanceStep
  /** Owners' signatures, made with {@link signSafeTransaction} for this step at the Safe's current nonce. */
  signatures: readonly { owner: Address; signature: Hex }[]
  /** For `schedule`: seconds until it may be executed (at least the timelock's minimum delay). */
  delaySeconds?: number
}

/**
 * Has the Safe schedule or execute a governance call on the timelock. Anyone may submit the
 * owners' signatures; the Safe refuses fewer than its threshold.
 */
export function runGovernanceStep(
  chain: BoccSigner,
  parameters: RunGovernanceStepParameters,
): Promise<WriteContractAndWaitReturnType> {
  // The Safe wants signatures ordered by owner address.
  const signatures = concatHex(
    [...parameters.signatures]
      .sort((a, b) => (BigInt(a.owner) < BigInt(b.owner) ? -1 : 1))
      .map((entry) => entry.signature),
  )
  return writeContractAndWait(chain, {
    address: chain.deployment.contracts.safe,
    abi: safe.abi,
    functionName: 'execTransaction',
    args: [
      chain.deployment.contracts.timelock,
      0n,
      timelockCallData(parameters.call, parameters.step, BigInt(parameters.delaySeconds ?? 0)),
      0,
      0n,
      0n,
      0n,
      zeroAddress,
      zeroAddress,
      signatures,
    ],
  } as never)
}

/** The Safe's nonce: the next Safe transaction must be signed for it. */
export async function getSafeNonce(
  chain:
    | BoccSigner
    | { publicClient: BoccSigner['publicClient']; deployment: BoccSigner['deployment'] },
): Promise<bigint> {
  return (await chain.publicClient.readContract({
    address: chain.deployment.contracts.safe,
    abi: safe.abi,
    functionName: 'nonce',
  })) as bigint
}

/**
 * Signs and runs a governance step with owner keys held here (development networks and tests,
 * where the owners are local accounts).
 */
export async function runGovernanceStepWithOwners(
  chain: BoccSigner,
  parameters: Omit<RunGovernanceStepParameters, 'signatures'> & { owners: readonly LocalAccount[] },
): Promise<WriteContractAndWaitReturnType> {
  const nonce = await getSafeNonce(chain)
  const data = timelockCallData(
    parameters.call,
    parameters.step,
    BigInt(parameters.delaySeconds ?? 0),
  )
  const signatures = await Promise.all(
    parameters.owners.map(async (owner) => ({
      owner: owner.address,
      signature: await signSafeTransaction(owner, {
        chainId: chain.chain.id,
        safe: chain.deployment.contracts.safe,
        to: chain.deployment.contracts.timelock,
        data,
        nonce,
      }),
    })),
  )
  return runGovernanceStep(chain, { ...parameters, signatures })
}
