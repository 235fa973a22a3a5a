import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devPrivateKey } from '../../src/chain/devAccounts.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { label, protocolHarness } from '../support/protocolHarness.ts'

describe('offers', () => {
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  before(async () => {
    dev = await startLocalProtocol()
    h = protocolHarness(dev)
  })
  after(() => dev.stop())

  it('creates, versions, disables and re-enables TEE offers, owner only', async () => {
    const { provider, stranger } = dev.signers
    const { receipt } = await h.send(provider, 'createTeeOffer', [1, parseEther('2'), 4])
    const id = h.idFrom(receipt.logs, 'TeeOfferCreated')
    assert.deepEqual(await h.read('getTeeOffer', [id]), {
      provider: provider.account.address,
      hardware: 1,
      active: true,
      capacity: 4,
      activeOrders: 0,
      version: 1,
      price: parseEther('2'),
    })
    await h.reverts(h.send(provider, 'createTeeOffer', [5, 1n, 1]), 'InvalidHardware')
    await h.reverts(h.send(provider, 'createTeeOffer', [1, 1n, 0]), 'ZeroCapacity')
    await h.reverts(h.send(stranger, 'updateTeeOffer', [id, 1n, 1]), 'NotOfferOwner')
    await h.reverts(h.send(provider, 'updateTeeOffer', [999, 1n, 1]), 'OfferNotFound')
    await h.reverts(h.send(provider, 'updateTeeOffer', [id, 1n, 0]), 'ZeroCapacity')
    await h.send(provider, 'updateTeeOffer', [id, parseEther('3'), 8])
    const updated = await h.read<{ version: number; price: bigint; capacity: number }>(
      'getTeeOffer',
      [id],
    )
    assert.deepEqual([updated.version, updated.price, updated.capacity], [2, parseEther('3'), 8])
    await h.reverts(h.send(stranger, 'setTeeOfferActive', [id, false]), 'NotOfferOwner')
    await h.send(provider, 'setTeeOfferActive', [id, false])
    assert.equal((await h.read<{ active: boolean }>('getTeeOffer', [id])).active, false)
    await h.send(provider, 'setTeeOfferActive', [id, true])
    assert.equal((await h.read<{ active: boolean }>('getTeeOffer', [id])).active, true)
  })

  it('keeps solution and data offers with their restrictions', async () => {
    const { modelVendor, stranger } = dev.signers
    const solution = h.idFrom(
      (
        await h.send(modelVendor, 'createSolutionOffer', [
          label('model'),
          5n,
          0b10,
          label('runtime'),
          [7, 9],
        ])
      ).receipt.logs,
      'SolutionOfferCreated',
    )
    const offer = await h.read<{
      restrictTeeOffers: boolean
      hardwareMask: number
      requiredMeasurement: string
    }>('getSolutionOffer', [solution])
    assert.deepEqual(
      [offer.restrictTeeOffers, offer.hardwareMask, offer.requiredMeasurement],
      [true, 2, label('runtime')],
    )
    assert.equal(await h.read('solutionAllowsTeeOffer', [solution, 7]), true)
    assert.equal(await h.read('solutionAllowsTeeOffer', [solution, 8]), false)
    await h.reverts(h.send(stranger, 'updateSolutionOffer', [solution, 1n]), 'NotOfferOwner')
    await h.send(modelVendor, 'updateSolutionOffer', [solution, 6n])
    await h.send(modelVendor, 'setSolutionOfferActive', [solution, false])
    const data = h.idFrom(
      (await h.send(stranger, 'createDataOffer', [label('dataset'), 9n, [solution], []])).receipt
        .logs,
      'DataOfferCreated',
    )
    const dataOffer = await h.read<{
      restrictSolutions: boolean
      restrictTeeOffers: boolean
      price: bigint
    }>('getDataOffer', [data])
    assert.deepEqual(
      [dataOffer.restrictSolutions, dataOffer.restrictTeeOffers, dataOffer.price],
      [true, false, 9n],
    )
    assert.equal(await h.read('dataAllowsSolutionOffer', [data, solution]), true)
    await h.reverts(h.send(modelVendor, 'updateDataOffer', [data, 1n]), 'NotOfferOwner')
    await h.send(stranger, 'updateDataOffer', [data, 10n])
    await h.send(stranger, 'setDataOfferActive', [data, false])
    assert.equal(
      (await h.read<{ version: number; active: boolean }>('getDataOffer', [data])).version,
      2,
    )
  })
})

describe('enclave registry', () => {
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  before(async () => {
    dev = await startLocalProtocol()
    h = protocolHarness(dev)
  })
  after(() => dev.stop())

  it('registers an enclave with the committee’s approval of exactly its fields', async () => {
    const { provider } = dev.signers
    const { key, registration } = await h.newEnclave(provider)
    await h.reverts(h.send(provider, 'registerEnclave', [registration, []]), 'NotEnoughApprovals')
    const approvals = await h.approvals(registration)
    await h.reverts(
      h.send(provider, 'registerEnclave', [
        { ...registration, expiresAt: registration.expiresAt + 1 },
        approvals,
      ]),
      'InvalidApprover',
    )
    await h.send(provider, 'registerEnclave', [registration, approvals])
    assert.equal(await h.read('isEnclaveActive', [key.address]), true)
    const record = await h.read<{ provider: string; status: number; measurement: string }>(
      'getEnclave',
      [key.address],
    )
    assert.deepEqual(
      [record.provider, record.status, record.measurement],
      [provider.account.address, 1, registration.measurement],
    )
    await h.reverts(
      h.send(provider, 'registerEnclave', [registration, approvals]),
      'EnclaveAlreadyRegistered',
    )
  })

  it('refuses registrations that are malformed, for other providers, expired, or of unlisted runtimes', async () => {
    const { provider, stranger } = dev.signers
    const { registration } = await h.newEnclave(provider)
    await h.reverts(
      h.send(stranger, 'registerEnclave', [registration, await h.approvals(registration)]),
      'InvalidRegistration',
    )
    const expired = { ...registration, expiresAt: await h.now() }
    await h.reverts(
      h.send(provider, 'registerEnclave', [expired, await h.approvals(expired)]),
      'InvalidRegistration',
    )
    const badHardware = { ...registration, hardware: 9 }
    await h.reverts(
      h.send(provider, 'registerEnclave', [badHardware, await h.approvals(badHardware)]),
      'InvalidRegistration',
    )
    const unlisted = (await h.newEnclave(provider, { measurement: label('unlisted') })).registration
    await h.reverts(
      h.send(provider, 'registerEnclave', [unlisted, await h.approvals(unlisted)]),
      'MeasurementNotAllowed',
    )
    // Approvals by someone outside the committee do not count.
    const outsider = privateKeyToAccount(devPrivateKey(9))
    await h.reverts(
      h.send(provider, 'registerEnclave', [
        registration,
        await h.approvals(registration, [outsider]),
      ]),
      'InvalidApprover',
    )
  })

  it('needs k distinct members in increasing order once the committee is k of n', async () => {
    const { deployer, provider } = dev.signers
    const members = [
      h.member,
      privateKeyToAccount(devPrivateKey(7)),
      privateKeyToAccount(devPrivateKey(8)),
    ].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
    await h.send(deployer, 'proposeCommittee', [members.map((member) => member.address), 2])
    await dev.increaseTime(86_400)
    await h.send(deployer, 'activateCommittee')
    const { key, registration } = await h.newEnclave(provider)
    const [first, second] = members
    if (!first || !second) throw new Error('unreachable')
    const one = await h.approvals(registration, [first])
    await h.reverts(h.send(provider, 'registerEnclave', [registration, one]), 'NotEnoughApprovals')
    const two = await h.approvals(registration, [first, second])
    await h.reverts(
      h.send(provider, 'registerEnclave', [registration, [two[1], two[0]]]),
      'InvalidApprover',
    )
    await h.reverts(
      h.send(provider, 'registerEnclave', [registration, [two[0], two[0]]]),
      'InvalidApprover',
    )
    await h.send(provider, 'registerEnclave', [registration, two])
    assert.equal(await h.read('isEnclaveActive', [key.address]), true)

    // Revocation by the committee needs k members too; by the provider, only the provider.
    const revocation = async (signers: typeof members) =>
      Promise.all(
        signers.map((signer) =>
          signer.signTypedData({
            domain: {
              name: 'BOCC',
              version: '1',
              chainId: dev.deployment.chainId,
              verifyingContract: dev.deployment.protocol,
            },
            types: { EnclaveRevocation: [{ name: 'enclave', type: 'address' }] },
            primaryType: 'EnclaveRevocation',
            message: { enclave: key.address },
          }),
        ),
      )
    await h.reverts(
      h.send(provider, 'revokeEnclaveByCommittee', [key.address, await revocation([first])]),
      'NotEnoughApprovals',
    )
    await h.send(dev.signers.stranger, 'revokeEnclaveByCommittee', [
      key.address,
      await revocation([first, second]),
    ])
    assert.equal(await h.read('isEnclaveActive', [key.address]), false)
    await h.reverts(h.send(provider, 'revokeEnclave', [key.address]), 'EnclaveNotActive')
  })

  it('lets only the provider revoke its enclave, and enclaves expire', async () => {
    const { provider, stranger } = dev.signers
    // The committee is 2 of 3 since the test above.
    const { key, registration } = await h.newEnclave(provider, {
      expiresAt: (await h.now()) + 3600,
    })
    const members = [h.member, privateKeyToAccount(devPrivateKey(7))]
    await h.send(provider, 'registerEnclave', [
      registration,
      await h.approvals(registration, members),
    ])
    await h.reverts(h.send(stranger, 'revokeEnclave', [key.address]), 'NotEnclaveProvider')
    await dev.increaseTime(3600)
    assert.equal(await h.read('isEnclaveActive', [key.address]), false)
    const other = await h.newEnclave(provider)
    await h.send(provider, 'registerEnclave', [
      other.registration,
      await h.approvals(other.registration, members),
    ])
    await h.send(provider, 'revokeEnclave', [other.key.address])
    assert.equal(await h.read('isEnclaveActive', [other.key.address]), false)
  })
})
