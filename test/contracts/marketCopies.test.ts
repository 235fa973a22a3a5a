import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Address, type Hex, parseEther, zeroAddress } from 'viem'
import { catalogAbi, registryAbi } from '../../src/chain/abis.ts'
import { enclaveRegistryAbi, enclaveRegistryBytecode } from '../../src/chain/artifacts.ts'
import { writeContractAndWait } from '../../src/chain/writeContractAndWait.ts'
import { label } from '../support/protocolHarness.ts'
import { type Market, startMarket } from './marketFixture.ts'

type EnclaveAccess = {
  provider: Address
  hardware: number
  expiresAt: number
  measurementIndex: number
  tcbJudgedOnChain: boolean
}

/**
 * The market decides from copies the registry and the catalog push to it (contracts/market/
 * EnclaveFeed.sol, OfferFeed.sol). Each change must reach the copy in the transaction that makes
 * it, and nobody else may write the copies.
 */
describe('the market’s copies of enclaves and offers', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  const accessOf = async (enclave: Address) => {
    const [access, measurement] = await m.h.read<[EnclaveAccess, Hex]>('enclaveAccessOf', [enclave])
    return { access, measurement }
  }

  it('keeps a registered enclave exactly as the registry records it', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const fresh = await h.newEnclave(provider, { expiresAt: (await h.now()) + 86_400 })
    const { receipt } = await h.register(provider, fresh.registration)
    const entry = await h.read<{ index: number }>('measurementEntry', [
      fresh.registration.measurement,
    ])
    const expected = {
      provider: provider.account.address,
      hardware: 0,
      expiresAt: fresh.registration.expiresAt,
      measurementIndex: entry.index,
      tcbJudgedOnChain: false,
    }
    assert.deepEqual(await accessOf(fresh.key.address), {
      access: expected,
      measurement: fresh.registration.measurement,
    })
    assert.deepEqual(m.eventArgs(receipt.logs, 'EnclaveAccessRecorded'), {
      enclave: fresh.key.address,
      access: expected,
    })
  })

  it('refuses a revoked enclave at once, and its registration cannot come back', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const fresh = await h.newEnclave(provider, { expiresAt: (await h.now()) + 86_400 })
    await h.register(provider, fresh.registration)
    const order = await m.accepted({ enclave: fresh.key.address })
    const { receipt } = await h.send(provider, 'revokeEnclave', [fresh.key.address])
    assert.deepEqual(m.eventArgs(receipt.logs, 'EnclaveAccessRemoved'), {
      enclave: fresh.key.address,
    })
    assert.equal((await accessOf(fresh.key.address)).access.provider, zeroAddress)
    await h.reverts(m.create({ enclave: fresh.key.address }), 'EnclaveNotUsable')
    const delivered = await m.receiptFor(order, { key: fresh.key })
    await h.reverts(m.submitReceipt(delivered), 'EnclaveNotUsable')
    await h.reverts(h.register(provider, fresh.registration), 'EnclaveAlreadyRegistered')
    await h.reverts(m.create({ enclave: fresh.key.address }), 'EnclaveNotUsable')
  })

  it('bars every enclave of a removed measurement in the removal’s transaction, and only those', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const measurement = label('runtime barred by the copy')
    await m.listMeasurement(measurement)
    const first = await m.registeredEnclave(provider, { measurement })
    const second = await m.registeredEnclave(provider, { measurement })
    const index = (await accessOf(first.address)).access.measurementIndex
    assert.equal((await accessOf(second.address)).access.measurementIndex, index)
    const pending = await m.accepted({ enclave: second.address })
    await m.create({ enclave: first.address })
    const { receipt } = await m.governed('removeMeasurement', [measurement])
    assert.deepEqual(m.eventArgs(receipt.logs, 'MeasurementBarred'), { measurementIndex: index })
    assert.equal(await h.read('isMeasurementBarred', [index]), true)
    await h.reverts(m.create({ enclave: first.address }), 'EnclaveNotUsable')
    await h.reverts(
      m.submitReceipt(await m.receiptFor(pending, { key: second })),
      'EnclaveNotUsable',
    )
    // The fixture's enclave runs another measurement: untouched.
    const other = (await accessOf(m.enclave.address)).access.measurementIndex
    assert.notEqual(other, index)
    assert.equal(await h.read('isMeasurementBarred', [other]), false)
    await m.create()
  })

  it('refuses an enclave from the second its registration expires', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const expiresAt = (await h.now()) + 1_000
    const enclave = await m.registeredEnclave(provider, { expiresAt })
    const now = await h.now()
    await m.create({ enclave: enclave.address, acceptBy: now + 60, deadline: now + 600 })
    // The next block is at expiresAt or later.
    await m.dev.increaseTime(expiresAt - (await h.now()))
    await h.reverts(m.create({ enclave: enclave.address }), 'EnclaveNotUsable')
  })

  it('lets nobody but the registry and the catalog write the copies', async () => {
    const { h } = m
    const { provider, stranger, modelVendor, deployer } = m.dev.signers
    const forged = await h.newEnclave(stranger)
    const access = {
      provider: provider.account.address,
      hardware: 0,
      expiresAt: (await h.now()) + 86_400,
      measurementIndex: 0,
      tcbJudgedOnChain: false,
    }
    for (const caller of [stranger, provider, deployer]) {
      await h.reverts(
        h.send(caller, 'recordEnclave', [forged.key.address, access, label('any')]),
        'NotRegistry',
      )
      await h.reverts(
        h.send(caller, 'recordEnclaveExpiry', [m.enclave.address, 2 ** 40 - 1]),
        'NotRegistry',
      )
      await h.reverts(h.send(caller, 'removeEnclave', [m.enclave.address]), 'NotRegistry')
      await h.reverts(h.send(caller, 'barMeasurement', [0]), 'NotRegistry')
    }
    // Not even the offer's own vendor may price its copy.
    for (const caller of [stranger, modelVendor, deployer])
      await h.reverts(
        h.send(caller, 'recordSolutionOffer', [
          m.solutionOfferId,
          label('model'),
          0xff,
          caller.account.address,
          0n,
        ]),
        'NotCatalog',
      )
    assert.equal((await accessOf(forged.key.address)).access.provider, zeroAddress)
    await h.reverts(m.create({ enclave: forged.key.address }), 'EnclaveNotUsable')
    const order = await m.create()
    assert.equal(order.terms.solutionVendor, modelVendor.account.address)

    // The wiring is set once, by the deployer.
    const { market, registry, catalog } = m.dev.deployment.contracts
    for (const [address, abi] of [
      [registry, registryAbi],
      [catalog, catalogAbi],
    ] as const) {
      const attach = (caller: typeof stranger, target: Address) =>
        writeContractAndWait(caller, {
          address,
          abi,
          functionName: 'attachMarket',
          args: [target],
        } as never)
      await h.reverts(attach(stranger, stranger.account.address), 'NotDeployer')
      await h.reverts(attach(deployer, market), 'MarketAlreadyAttached')
    }
  })

  it('attaches only a market that reads from the attaching contract', async () => {
    const { h, dev } = m
    const { deployer } = dev.signers
    const genesis = (await h.read<{ measurement: Hex }>('getEnclave', [m.enclave.address]))
      .measurement
    const hash = await deployer.walletClient.deployContract({
      abi: enclaveRegistryAbi,
      bytecode: enclaveRegistryBytecode,
      args: [
        dev.deployment.contracts.timelock,
        60,
        [genesis],
        [h.member.address],
        1,
        zeroAddress,
        1,
      ],
    })
    const other = (await h.client.waitForTransactionReceipt({ hash })).contractAddress as Address
    await h.reverts(
      writeContractAndWait(deployer, {
        address: other,
        abi: registryAbi,
        functionName: 'attachMarket',
        args: [dev.deployment.contracts.market],
      }),
      'MarketNotWiredToThis',
    )
  })

  it('prices orders from the catalog’s latest push, and sends what the copy lacks to the catalog', async () => {
    const { h } = m
    const { modelVendor, provider } = m.dev.signers
    const offer = await m.newSolutionOffer('copied model', parseEther('1'), { hardwareMask: 0b1 })
    const onOffer = { solutionOfferId: offer, solutionHash: label('copied model') }
    assert.deepEqual(await h.read('solutionQuoteOf', [offer, label('copied model'), 0]), {
      vendor: modelVendor.account.address,
      price: parseEther('1'),
    })
    // Only the kinds the offer allows have a copy.
    assert.equal(
      (await h.read<{ vendor: Address }>('solutionQuoteOf', [offer, label('copied model'), 1]))
        .vendor,
      zeroAddress,
    )
    assert.equal((await m.create(onOffer)).terms.solutionPrice, parseEther('1'))
    await h.send(modelVendor, 'updateSolutionOffer', [offer, parseEther('4')])
    assert.equal((await m.create(onOffer)).terms.solutionPrice, parseEther('4'))
    await h.send(modelVendor, 'setSolutionOfferActive', [offer, false])
    await h.reverts(m.create(onOffer), 'SolutionOfferNotActive')
    await h.send(modelVendor, 'setSolutionOfferActive', [offer, true])
    assert.equal((await m.create(onOffer)).terms.solutionPrice, parseEther('4'))
    await h.reverts(
      m.create({ ...onOffer, solutionHash: label('another model') }),
      'SolutionMismatch',
    )
    // A TDX offer of the same provider: the copy has no entry for kind 1, the catalog refuses.
    const tdxOffer = await m.newTeeOffer(provider, parseEther('1'), 1, 1)
    const tdxEnclave = await m.registeredEnclave(provider, { hardware: 1 })
    await h.reverts(
      m.create({ ...onOffer, teeOfferId: tdxOffer, enclave: tdxEnclave.address }),
      'HardwareNotAllowedBySolution',
    )
    // Restricted offers have no copy: the catalog decides them, allow-list included.
    const restricted = await m.newSolutionOffer('restricted model', 1n, {
      allowedTeeOffers: [m.teeOfferId],
    })
    assert.equal(
      (
        await h.read<{ vendor: Address }>('solutionQuoteOf', [
          restricted,
          label('restricted model'),
          0,
        ])
      ).vendor,
      zeroAddress,
    )
    const onRestricted = { solutionOfferId: restricted, solutionHash: label('restricted model') }
    assert.equal((await m.create(onRestricted)).terms.solutionPrice, 1n)
    const otherOffer = await m.newTeeOffer(provider)
    await h.reverts(m.create({ ...onRestricted, teeOfferId: otherOffer }), 'TeeOfferNotAllowed')
  })
})
