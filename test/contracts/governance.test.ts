import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseEventLogs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { boccProtocolAbi } from '../../src/chain/artifacts.ts'
import { devPrivateKey } from '../../src/chain/devAccounts.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { label, protocolHarness } from '../support/protocolHarness.ts'

const day = 86_400

describe('governance: the measurement transparency log and the committee', () => {
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  before(async () => {
    dev = await startLocalProtocol()
    h = protocolHarness(dev)
  })
  after(() => dev.stop())

  it('lists a measurement only after the delay, removes it at once, and only the governor may', async () => {
    const { deployer, stranger } = dev.signers
    const measurement = label('runtime v2')
    await h.reverts(
      h.send(stranger, 'proposeMeasurement', [measurement, 'https://example.org/provenance']),
      'NotGovernor',
    )
    const { receipt } = await h.send(deployer, 'proposeMeasurement', [
      measurement,
      'https://example.org/provenance',
    ])
    const [event] = parseEventLogs({
      abi: boccProtocolAbi,
      eventName: 'MeasurementProposed',
      logs: receipt.logs,
    })
    assert.equal(event?.args.provenanceUri, 'https://example.org/provenance')
    assert.equal(event?.args.effectiveAt, (await h.now()) + day)
    assert.equal(await h.read('isMeasurementAllowed', [measurement]), false)
    await h.reverts(
      h.send(deployer, 'proposeMeasurement', [measurement, 'again']),
      'MeasurementAlreadyListed',
    )
    await dev.increaseTime(day)
    assert.equal(await h.read('isMeasurementAllowed', [measurement]), true)
    await h.reverts(h.send(stranger, 'removeMeasurement', [measurement]), 'NotGovernor')
    await h.send(deployer, 'removeMeasurement', [measurement])
    assert.equal(await h.read('isMeasurementAllowed', [measurement]), false)
    await h.reverts(h.send(deployer, 'removeMeasurement', [measurement]), 'MeasurementNotListed')
  })

  it('rebuilds the allow-list at any block from the events alone', async () => {
    const logs = await h.client.getContractEvents({ ...h.protocol, fromBlock: 0n })
    const measurements = [
      ...new Set(
        logs.flatMap((log) => ('measurement' in log.args ? [log.args.measurement as string] : [])),
      ),
    ]
    assert.ok(measurements.length >= 2)
    const head = await h.client.getBlockNumber()
    for (let block = dev.deployment.fromBlock; block <= head; block++) {
      // The list as the events up to this block say it is.
      const listed = new Map<string, number>()
      for (const log of logs) {
        if (log.blockNumber > block) continue
        if (log.eventName === 'MeasurementProposed')
          listed.set(log.args.measurement as string, log.args.effectiveAt as number)
        if (log.eventName === 'MeasurementRemoved') listed.delete(log.args.measurement as string)
      }
      const time = Number((await h.client.getBlock({ blockNumber: block })).timestamp)
      for (const measurement of measurements) {
        const fromEvents = (listed.get(measurement) ?? Number.POSITIVE_INFINITY) <= time
        const onChain = await h.client.readContract({
          ...h.protocol,
          functionName: 'isMeasurementAllowed',
          args: [measurement as `0x${string}`],
          blockNumber: block,
        })
        assert.equal(onChain, fromEvents, `measurement ${measurement} at block ${block}`)
      }
    }
  })

  it('changes the committee only after the delay, and checks its shape', async () => {
    const { deployer, stranger } = dev.signers
    const [a, b] = [
      privateKeyToAccount(devPrivateKey(7)),
      privateKeyToAccount(devPrivateKey(8)),
    ].sort((x, y) => (BigInt(x.address) < BigInt(y.address) ? -1 : 1))
    if (!a || !b) throw new Error('unreachable')
    await h.reverts(
      h.send(stranger, 'proposeCommittee', [[a.address, b.address], 2]),
      'NotGovernor',
    )
    await h.reverts(
      h.send(deployer, 'proposeCommittee', [[b.address, a.address], 2]),
      'InvalidCommittee',
    )
    await h.reverts(
      h.send(deployer, 'proposeCommittee', [[a.address, b.address], 3]),
      'InvalidCommittee',
    )
    await h.reverts(
      h.send(deployer, 'proposeCommittee', [[a.address, b.address], 0]),
      'InvalidCommittee',
    )
    await h.reverts(
      h.send(deployer, 'proposeCommittee', [[a.address, a.address], 1]),
      'InvalidCommittee',
    )
    await h.reverts(h.send(stranger, 'activateCommittee'), 'NoPendingChange')
    await h.send(deployer, 'proposeCommittee', [[a.address, b.address], 2])
    await h.reverts(h.send(stranger, 'activateCommittee'), 'ChangeNotYetEffective')
    assert.equal(await h.read('isCommitteeMember', [h.member.address]), true)
    await dev.increaseTime(day)
    await h.send(stranger, 'activateCommittee')
    assert.equal(await h.read('isCommitteeMember', [h.member.address]), false)
    assert.equal(await h.read('isCommitteeMember', [a.address]), true)
    assert.equal(await h.read('committeeThreshold'), 2)
    assert.equal(await h.read('committeeEpoch'), 2n)
  })

  it('hands governance over only after the delay, to the proposed account', async () => {
    const { deployer, stranger, customer } = dev.signers
    await h.reverts(h.send(stranger, 'proposeGovernor', [stranger.account.address]), 'NotGovernor')
    await h.send(deployer, 'proposeGovernor', [stranger.account.address])
    await h.reverts(h.send(customer, 'acceptGovernance'), 'NoPendingChange')
    await h.reverts(h.send(stranger, 'acceptGovernance'), 'ChangeNotYetEffective')
    await dev.increaseTime(day)
    await h.send(stranger, 'acceptGovernance')
    assert.equal(
      (await h.read<string>('governor')).toLowerCase(),
      stranger.account.address.toLowerCase(),
    )
    await h.reverts(h.send(deployer, 'proposeMeasurement', [label('x'), '']), 'NotGovernor')
  })
})
