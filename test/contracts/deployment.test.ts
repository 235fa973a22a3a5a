import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  type AbiParameter,
  type Address,
  BaseError,
  decodeErrorResult,
  encodeDeployData,
  getAddress,
  type Hex,
  zeroAddress,
} from 'viem'
import { timelockAbi } from '../../src/chain/abis.ts'
import { GovernanceConfigError } from '../../src/chain/actions/governance/deployGovernance.ts'
import {
  boccMarketAbi,
  boccMarketBytecode,
  catalogAbi,
  enclaveRegistryAbi,
  enclaveRegistryBytecode,
  orderExitsAbi,
} from '../../src/chain/artifacts.ts'
import { deployContracts } from '../../src/chain/deployContracts.ts'
import { councilRoles } from '../../src/chain/devAccounts.ts'
import { safe } from '../../src/chain/safeArtifacts.ts'
import { writeContractAndWait } from '../../src/chain/writeContractAndWait.ts'
import { label } from '../support/protocolHarness.ts'
import { type Market, startMarket } from './marketFixture.ts'

describe('deployment', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  const deployer = () => m.dev.signers.deployer
  /** The custom error a constructor reverts with, decoded from an eth_call of the deployment. */
  async function constructorError(abi: readonly unknown[], bytecode: Hex, args: unknown[]) {
    try {
      await deployer().publicClient.call({
        account: deployer().account,
        data: encodeDeployData({ abi, bytecode, args } as Parameters<typeof encodeDeployData>[0]),
      })
      return undefined
    } catch (error) {
      // The node's JSON-RPC error carries the revert data.
      const withData =
        error instanceof BaseError
          ? error.walk((inner) => typeof (inner as { data?: unknown }).data === 'string')
          : null
      const data = (withData as { data?: Hex } | null)?.data
      if (!data) throw error
      const decoded = decodeErrorResult({ abi: abi as never, data })
      return [decoded.errorName, ...(decoded.args ?? [])]
    }
  }

  const marketConfig = () => ({
    paymentToken: m.dev.deployment.contracts.token,
    registry: m.dev.deployment.contracts.registry,
    catalog: m.dev.deployment.contracts.catalog,
    feeReceiver: deployer().account.address,
    feeBps: 100,
    slashBps: 5_000,
    handBackBps: 1_000,
    minStake: 1n,
    unstakeDelay: 86_400 + 3_600 + 3_600 + 1,
    maxOrderDuration: 86_400,
    minDeliveryWindow: 30,
    challengeWindow: 3_600,
    responseWindow: 3_600,
    challengeBond: 1n,
  })
  const marketError = (change: Partial<ReturnType<typeof marketConfig>>) =>
    constructorError(boccMarketAbi, boccMarketBytecode, [{ ...marketConfig(), ...change }])

  it('refuses market configurations that would break its rules', async () => {
    assert.equal(await marketError({}), undefined)
    const refused = (reason: string) => ['InvalidConfiguration', reason]
    for (const field of ['paymentToken', 'registry', 'catalog', 'feeReceiver'] as const)
      assert.deepEqual(await marketError({ [field]: zeroAddress }), refused('zero address'))
    assert.deepEqual(await marketError({ feeBps: 10_001 }), refused('basis points over 10000'))
    assert.deepEqual(await marketError({ slashBps: 10_001 }), refused('basis points over 10000'))
    assert.deepEqual(
      await marketError({ handBackBps: 5_001 }),
      refused('hand-back fee above the slash'),
    )
    assert.deepEqual(await marketError({ challengeWindow: 0 }), refused('zero challenge window'))
    // A provider must not be able to leave before every refund and challenge of its orders is possible.
    const tooShort = refused('unstake delay not longer than an order and its challenge')
    assert.deepEqual(await marketError({ unstakeDelay: 86_400 + 3_600 + 3_600 }), tooShort)
    assert.deepEqual(
      await marketError({ unstakeDelay: 7 * 86_400, maxOrderDuration: 7 * 86_400 }),
      tooShort,
    )
    assert.deepEqual(
      await marketError({ unstakeDelay: 86_400 + 3_600 + 7_200, responseWindow: 7_200 }),
      tooShort,
    )
  })

  it('refuses registries with a malformed genesis committee or allow-list', async () => {
    const [a, b] = [deployer().account.address, m.dev.signers.stranger.account.address].sort(
      (x, y) => (BigInt(x) < BigInt(y) ? -1 : 1),
    ) as [Address, Address]
    const registryError = (
      measurements: Hex[],
      committee: Address[],
      threshold: number,
      acceptedTcbStatuses = 1,
    ) =>
      constructorError(enclaveRegistryAbi, enclaveRegistryBytecode, [
        a,
        60,
        measurements,
        committee,
        threshold,
        zeroAddress,
        acceptedTcbStatuses,
      ])
    assert.equal(await registryError([label('m')], [a, b], 2), undefined)
    assert.deepEqual(await registryError([], [a, b], 0), ['InvalidCommittee'])
    assert.deepEqual(await registryError([], [a, b], 3), ['InvalidCommittee'])
    assert.deepEqual(await registryError([], [b, a], 1), ['InvalidCommittee'])
    assert.deepEqual(await registryError([], [a, a], 1), ['InvalidCommittee'])
    assert.deepEqual(await registryError([], [], 0), ['InvalidCommittee'])
    assert.deepEqual(await registryError([label('m'), label('m')], [a], 1), [
      'MeasurementAlreadyListed',
      label('m'),
    ])
    // No accepted TCB status, or Revoked (bit 6) among them.
    assert.deepEqual(await registryError([], [a], 1, 0), ['InvalidAcceptedTcbStatuses', 0])
    assert.deepEqual(await registryError([], [a], 1, 0b100_0001), [
      'InvalidAcceptedTcbStatuses',
      0b100_0001,
    ])
  })

  it('refuses a governance that one key could run', async () => {
    await assert.rejects(
      deployContracts(deployer(), {
        genesisMeasurements: [],
        committee: [deployer().account.address],
        committeeThreshold: 1,
        governanceOwners: [deployer().account.address, m.dev.signers.stranger.account.address],
        governanceThreshold: 1,
      }),
      GovernanceConfigError,
    )
  })

  it('wires the market to the registry and catalog, and the registry to the timelock the council’s Safe runs', async () => {
    const { h, dev } = m
    const { contracts } = dev.deployment
    const read = (
      address: Address,
      abi: readonly unknown[],
      functionName: string,
      args: unknown[] = [],
    ) =>
      h.client.readContract({
        address,
        abi: abi as never,
        functionName,
        args,
      } as never) as Promise<unknown>
    assert.equal(
      await read(contracts.market, boccMarketAbi, 'registry'),
      getAddress(contracts.registry),
    )
    assert.equal(
      await read(contracts.market, boccMarketAbi, 'catalog'),
      getAddress(contracts.catalog),
    )
    // Both push every change the market keeps a copy of to this market.
    for (const [source, abi] of [
      [contracts.registry, enclaveRegistryAbi],
      [contracts.catalog, catalogAbi],
    ] as const)
      assert.equal(await read(source, abi, 'market'), getAddress(contracts.market))
    assert.equal(
      await read(contracts.market, boccMarketAbi, 'paymentToken'),
      getAddress(contracts.token),
    )
    assert.equal(
      await read(contracts.market, boccMarketAbi, 'feeReceiver'),
      getAddress(contracts.timelock),
    )
    const exits = (await read(contracts.market, boccMarketAbi, 'exits')) as Address
    assert.ok(((await h.client.getCode({ address: exits })) ?? '0x').length > 2)
    assert.equal(
      await read(contracts.registry, enclaveRegistryAbi, 'governor'),
      getAddress(contracts.timelock),
    )
    assert.equal(await read(contracts.catalog, catalogAbi, 'solutionOfferCount'), 1)
    const owners = (await read(contracts.safe, safe.abi, 'getOwners')) as Address[]
    assert.deepEqual(
      [...owners].sort(),
      councilRoles.map((role) => dev.signers[role].account.address).sort(),
    )
    assert.equal(await read(contracts.safe, safe.abi, 'getThreshold'), 2n)
    assert.equal(await read(contracts.timelock, timelockAbi, 'getMinDelay'), 60n)
    const role = async (name: string) => (await read(contracts.timelock, timelockAbi, name)) as Hex
    const hasRole = (roleId: Hex, account: Address) =>
      read(contracts.timelock, timelockAbi, 'hasRole', [roleId, account])
    for (const name of ['PROPOSER_ROLE', 'EXECUTOR_ROLE', 'CANCELLER_ROLE']) {
      assert.equal(await hasRole(await role(name), contracts.safe), true, name)
      assert.equal(
        await hasRole(await role(name), dev.signers.deployer.account.address),
        false,
        name,
      )
    }
    // The timelock administers itself: the deployer kept no way in.
    const admin = await role('DEFAULT_ADMIN_ROLE')
    assert.equal(await hasRole(admin, contracts.timelock), true)
    assert.equal(await hasRole(admin, dev.signers.deployer.account.address), false)
  })

  it('refuses every state-changing call made on the market’s delegate directly', async () => {
    const { h } = m
    const exits = await h.read<Address>('exits')
    const writes = orderExitsAbi.filter(
      (item) => item.type === 'function' && item.stateMutability === 'nonpayable',
    )
    assert.ok(writes.length >= 13)
    for (const item of writes) {
      if (item.type !== 'function') continue
      const args = item.inputs.map(zeroValue)
      await h
        .reverts(
          writeContractAndWait(m.dev.signers.stranger, {
            address: exits,
            abi: orderExitsAbi,
            functionName: item.name,
            args,
          } as never),
          'NotThroughMarket',
        )
        .catch((error) => {
          throw new Error(`${item.name} on OrderExits: ${error}`)
        })
    }
  })
})

/** The zero value of an ABI parameter, for calls whose arguments do not matter. */
function zeroValue(parameter: AbiParameter): unknown {
  const { type } = parameter
  if (type.endsWith('[]')) return []
  if (type === 'tuple')
    return Object.fromEntries(
      ('components' in parameter ? parameter.components : []).map((component) => [
        component.name,
        zeroValue(component),
      ]),
    )
  if (type === 'address') return zeroAddress
  if (type === 'bool') return false
  if (type === 'bytes' || type === 'string') return type === 'bytes' ? '0x' : ''
  if (type.startsWith('bytes')) return `0x${'00'.repeat(Number(type.slice(5)))}`
  const bits = Number(type.replace(/^u?int/, '') || 256)
  return bits <= 48 ? 0 : 0n
}
