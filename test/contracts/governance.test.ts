import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  getAddress,
  type Hex,
} from 'viem'
import { generatePrivateKey, type LocalAccount, privateKeyToAccount } from 'viem/accounts'
import { registryAbi, timelockAbi } from '../../src/chain/abis.ts'
import {
  type GovernanceCall,
  runGovernanceStepWithOwners,
} from '../../src/chain/actions/governance/governanceCall.ts'
import { getMeasurementLog } from '../../src/chain/actions/registry/getMeasurementLog.ts'
import {
  TransactionRevertedError,
  writeContractAndWait,
} from '../../src/chain/writeContractAndWait.ts'
import { label } from '../support/protocolHarness.ts'
import { defaults, type Market, startMarket } from './marketFixture.ts'

/**
 * The registry's governor is a TimelockController whose only proposer and executor is a Safe
 * owned by the 2-of-3 council. Every change to what the registry trusts goes through both.
 */
describe('governance: Safe, timelock and the measurement transparency log', () => {
  let m: Market
  let registry: Address
  let timelock: Address
  before(async () => {
    m = await startMarket()
    registry = getAddress(m.dev.deployment.contracts.registry)
    timelock = getAddress(m.dev.deployment.contracts.timelock)
  })
  after(() => m.dev.stop())

  const registryCall = (functionName: string, args: unknown[], salt = label(functionName)) =>
    ({
      target: registry,
      data: encodeFunctionData({
        abi: registryAbi,
        functionName: functionName as never,
        args: args as never,
      }),
      salt,
    }) satisfies GovernanceCall
  const step = (
    call: GovernanceCall,
    which: 'schedule' | 'execute',
    owners: readonly LocalAccount[],
    delaySeconds = defaults.governanceDelay,
  ) =>
    runGovernanceStepWithOwners(m.dev.signers.stranger, {
      call,
      step: which,
      owners,
      delaySeconds: which === 'schedule' ? delaySeconds : 0,
    })
  /** The custom error a call made as `from` (without sending it) reverts with, or 'ok'. */
  async function outcomeAs(
    from: Address,
    target: { address: Address; abi: readonly unknown[] },
    functionName: string,
    args: unknown[],
  ) {
    try {
      await m.h.client.simulateContract({
        ...target,
        functionName,
        args,
        account: from,
      } as never)
      return 'ok'
    } catch (error) {
      const revert =
        error instanceof BaseError
          ? error.walk((inner) => inner instanceof ContractFunctionRevertedError)
          : undefined
      return (revert as ContractFunctionRevertedError | undefined)?.data?.errorName ?? String(error)
    }
  }
  /** Asserts the Safe refuses the transaction with its error code (a revert string such as `GS020`). */
  async function safeRefuses(promise: Promise<unknown>, code: string) {
    await assert.rejects(promise, (error) => {
      assert.ok(error instanceof TransactionRevertedError, String(error))
      assert.deepEqual([error.errorName, error.errorArgs], ['Error', [code]])
      return true
    })
  }
  const asTimelock = (functionName: string, args: unknown[]) =>
    outcomeAs(timelock, { address: registry, abi: registryAbi }, functionName, args)

  it('changes the allow-list with 2 of the 3 council keys, through the Safe and after the timelock’s delay', async () => {
    const { h } = m
    const [a, b, c] = m.council as [LocalAccount, LocalAccount, LocalAccount]
    const measurement = label('runtime v2')
    const call = registryCall('proposeMeasurement', [measurement, 'https://example.org/runtime-v2'])
    // One key alone, one key twice, or a key with an outsider: the Safe refuses.
    await safeRefuses(step(call, 'schedule', [a]), 'GS020')
    await safeRefuses(step(call, 'schedule', [a, a]), 'GS026')
    await safeRefuses(
      step(call, 'schedule', [a, privateKeyToAccount(generatePrivateKey())]),
      'GS026',
    )
    // The council cannot shorten the timelock's delay, nor skip the Safe.
    await safeRefuses(step(call, 'schedule', [a, b], defaults.governanceDelay - 1), 'GS013')
    const safeAddress = m.dev.deployment.contracts.safe
    assert.equal(
      await outcomeAs(safeAddress, { address: timelock, abi: timelockAbi }, 'schedule', [
        registry,
        0n,
        call.data,
        `0x${'00'.repeat(32)}`,
        call.salt,
        BigInt(defaults.governanceDelay - 1),
      ]),
      'TimelockInsufficientDelay',
    )
    for (const owner of [m.dev.signers.councilA, m.dev.signers.deployer])
      await h.reverts(
        writeContractAndWait(owner, {
          address: timelock,
          abi: timelockAbi,
          functionName: 'schedule',
          args: [registry, 0n, call.data, `0x${'00'.repeat(32)}`, call.salt, 60n],
        }),
        'AccessControlUnauthorizedAccount',
      )
    await step(call, 'schedule', [a, b])
    // Scheduled, but not executable before the delay.
    await safeRefuses(step(call, 'execute', [b, c]), 'GS013')
    assert.equal(
      await outcomeAs(safeAddress, { address: timelock, abi: timelockAbi }, 'execute', [
        registry,
        0n,
        call.data,
        `0x${'00'.repeat(32)}`,
        call.salt,
      ]),
      'TimelockUnexpectedOperationState',
    )
    await m.dev.increaseTime(defaults.governanceDelay)
    // Only the Safe executes.
    await h.reverts(
      writeContractAndWait(m.dev.signers.stranger, {
        address: timelock,
        abi: timelockAbi,
        functionName: 'execute',
        args: [registry, 0n, call.data, `0x${'00'.repeat(32)}`, call.salt],
      }),
      'AccessControlUnauthorizedAccount',
    )
    const { receipt } = await step(call, 'execute', [b, c])
    const executedAt = Number(
      (await h.client.getBlock({ blockNumber: receipt.blockNumber })).timestamp,
    )
    const effectiveAt = executedAt + defaults.governanceDelay
    assert.deepEqual(m.eventArgs(receipt.logs, 'MeasurementProposed'), {
      measurement,
      effectiveAt,
      provenanceUri: 'https://example.org/runtime-v2',
    })
    const log = await getMeasurementLog(m.dev.signers.stranger)
    assert.deepEqual(
      log
        .filter((entry) => entry.measurement === measurement)
        .map((entry) =>
          entry.kind === 'proposed' ? [entry.kind, entry.effectiveAt] : [entry.kind],
        ),
      [['proposed', effectiveAt]],
    )
    // The governance delay of the registry comes on top of the timelock's.
    assert.equal(await h.read('isMeasurementAllowed', [measurement]), false)
    await m.dev.increaseTime(effectiveAt - (await h.now()) - 1)
    assert.equal(await h.read('isMeasurementAllowed', [measurement]), false)
    await m.dev.increaseTime(1)
    assert.equal(await h.read('isMeasurementAllowed', [measurement]), true)
    // The same operation cannot run twice.
    await safeRefuses(step(call, 'execute', [a, b]), 'GS013')
  })

  it('lets nobody but the timelock call the registry’s governor functions', async () => {
    const { h } = m
    const calls: [string, unknown[]][] = [
      ['proposeMeasurement', [label('sneaked in'), '']],
      ['removeMeasurement', [(await getMeasurementLog(m.dev.signers.stranger))[0]?.measurement]],
      ['proposeCommittee', [[h.member.address], 1]],
      ['proposeGovernor', [m.dev.signers.stranger.account.address]],
    ]
    const callers = [
      m.dev.signers.deployer,
      m.dev.signers.councilA,
      m.dev.signers.committeeMember,
      m.dev.signers.stranger,
    ]
    for (const [functionName, args] of calls) {
      for (const caller of callers)
        await h.reverts(h.send(caller, functionName, args), 'NotGovernor')
      // The Safe itself is not the governor either: it must go through the timelock.
      assert.equal(
        await outcomeAs(
          m.dev.deployment.contracts.safe,
          { address: registry, abi: registryAbi },
          functionName,
          args,
        ),
        'NotGovernor',
      )
      assert.equal(await asTimelock(functionName, args), 'ok')
    }
    assert.equal(await h.read('governor'), timelock)
    const proposer = await h.client.readContract({
      address: timelock,
      abi: timelockAbi,
      functionName: 'PROPOSER_ROLE',
    })
    for (const [account, expected] of [
      [m.dev.deployment.contracts.safe, true],
      [m.dev.signers.deployer.account.address, false],
      [m.dev.signers.councilA.account.address, false],
    ] as const)
      assert.equal(
        await h.client.readContract({
          address: timelock,
          abi: timelockAbi,
          functionName: 'hasRole',
          args: [proposer, account],
        }),
        expected,
      )
  })

  it('removes a measurement at once through governance, keeps its history, and never lists it again', async () => {
    const { h } = m
    const [a, b] = m.council as [LocalAccount, LocalAccount]
    const measurement = label('runtime v2')
    const entry = await h.read<{ effectiveAt: number; removedAt: number; index: number }>(
      'measurementEntry',
      [measurement],
    )
    assert.ok(entry.effectiveAt > 0 && entry.removedAt === 0)
    const removal = registryCall('removeMeasurement', [measurement])
    await step(removal, 'schedule', [a, b])
    await m.dev.increaseTime(defaults.governanceDelay)
    const { receipt } = await step(removal, 'execute', [a, b])
    const removedAt = Number(
      (await h.client.getBlock({ blockNumber: receipt.blockNumber })).timestamp,
    )
    assert.deepEqual(m.eventArgs(receipt.logs, 'MeasurementRemoved'), { measurement })
    assert.deepEqual(await h.read('measurementEntry', [measurement]), {
      effectiveAt: entry.effectiveAt,
      removedAt,
      index: entry.index,
    })
    assert.equal(await h.read('isMeasurementAllowed', [measurement]), false)
    assert.equal(
      await h.read('isMeasurementAllowedAt', [measurement, entry.effectiveAt - 1]),
      false,
    )
    assert.equal(await h.read('isMeasurementAllowedAt', [measurement, entry.effectiveAt]), true)
    assert.equal(await h.read('isMeasurementAllowedAt', [measurement, removedAt - 1]), true)
    assert.equal(await h.read('isMeasurementAllowedAt', [measurement, removedAt]), false)
    const log = await getMeasurementLog(m.dev.signers.stranger)
    assert.deepEqual(
      log.filter((item) => item.measurement === measurement).map((item) => item.kind),
      ['proposed', 'removed'],
    )
    // Not even governance can list it again, or remove it twice.
    assert.equal(
      await asTimelock('proposeMeasurement', [measurement, 'again']),
      'MeasurementAlreadyListed',
    )
    assert.equal(await asTimelock('removeMeasurement', [measurement]), 'MeasurementNotListed')
    assert.equal(
      await asTimelock('removeMeasurement', [label('never listed')]),
      'MeasurementNotListed',
    )
    const relist = registryCall('proposeMeasurement', [measurement, 'again'], label('relist'))
    await step(relist, 'schedule', [a, b])
    await m.dev.increaseTime(defaults.governanceDelay)
    await safeRefuses(step(relist, 'execute', [a, b]), 'GS013')
  })

  it('rebuilds the allow-list at every block from the events alone', async () => {
    const { h } = m
    const log = await getMeasurementLog(m.dev.signers.stranger)
    const measurements = [...new Set(log.map((entry) => entry.measurement))]
    assert.ok(measurements.length >= 2)
    const head = await h.client.getBlockNumber()
    // From the registry's deployment, which lists the genesis measurement.
    const deployed = log[0]?.blockNumber ?? head
    for (let block = deployed; block <= head; block++) {
      const time = Number((await h.client.getBlock({ blockNumber: block })).timestamp)
      const listedSince = new Map<Hex, number>()
      for (const entry of log) {
        if (entry.blockNumber > block) continue
        if (entry.kind === 'proposed') listedSince.set(entry.measurement, entry.effectiveAt)
        else listedSince.delete(entry.measurement)
      }
      for (const measurement of measurements) {
        const fromEvents = (listedSince.get(measurement) ?? Number.POSITIVE_INFINITY) <= time
        const onChain = await h.client.readContract({
          address: registry,
          abi: registryAbi,
          functionName: 'isMeasurementAllowed',
          args: [measurement],
          blockNumber: block,
        })
        assert.equal(onChain, fromEvents, `measurement ${measurement} at block ${block}`)
      }
    }
  })

  it('changes the committee only after the delay, and only to a well-formed one', async () => {
    const { h } = m
    const { stranger } = m.dev.signers
    const [x, y] = [
      privateKeyToAccount(generatePrivateKey()),
      privateKeyToAccount(generatePrivateKey()),
    ]
      .map((account) => account.address)
      .sort((p, q) => (BigInt(p) < BigInt(q) ? -1 : 1)) as [Address, Address]
    for (const [members, threshold] of [
      [[y, x], 2],
      [[x, y], 3],
      [[x, y], 0],
      [[x, x], 1],
      [[], 0],
    ] as const)
      assert.equal(await asTimelock('proposeCommittee', [members, threshold]), 'InvalidCommittee')
    await h.reverts(h.send(stranger, 'activateCommittee'), 'NoPendingChange')
    const epochBefore = await h.read<bigint>('committeeEpoch')
    const { receipt } = await m.governed('proposeCommittee', [[x, y], 2])
    assert.deepEqual(m.eventArgs(receipt.logs, 'CommitteeProposed'), {
      epoch: epochBefore + 1n,
      members: [x, y],
      threshold: 2,
      effectiveAt: (await h.now()) + defaults.governanceDelay,
    })
    await h.reverts(h.send(stranger, 'activateCommittee'), 'ChangeNotYetEffective')
    assert.equal(await h.read('isCommitteeMember', [h.member.address]), true)
    await m.dev.increaseTime(defaults.governanceDelay)
    await h.send(stranger, 'activateCommittee')
    assert.equal(await h.read('isCommitteeMember', [h.member.address]), false)
    assert.equal(await h.read('isCommitteeMember', [x]), true)
    assert.equal(await h.read('committeeThreshold'), 2)
    assert.equal(await h.read('committeeEpoch'), epochBefore + 1n)
    await h.reverts(h.send(stranger, 'activateCommittee'), 'NoPendingChange')
  })

  it('hands governance over only after the delay, to the proposed account', async () => {
    const { h } = m
    const { stranger, customer } = m.dev.signers
    const next = customer.account.address
    await m.governed('proposeGovernor', [next])
    await h.reverts(h.send(stranger, 'acceptGovernance'), 'NoPendingChange')
    await h.reverts(h.send(customer, 'acceptGovernance'), 'ChangeNotYetEffective')
    await m.dev.increaseTime(defaults.governanceDelay)
    const { receipt } = await h.send(customer, 'acceptGovernance')
    assert.deepEqual(m.eventArgs(receipt.logs, 'GovernorChanged'), { previous: timelock, next })
    assert.equal(await h.read('governor'), next)
    assert.equal(await asTimelock('proposeMeasurement', [label('x'), '']), 'NotGovernor')
    assert.equal(
      await outcomeAs(next, { address: registry, abi: registryAbi }, 'proposeMeasurement', [
        label('x'),
        '',
      ]),
      'ok',
    )
  })
})
