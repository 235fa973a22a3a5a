import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  type Hex,
  parseEther,
  zeroAddress,
} from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { enclaveRegistryAbi, enclaveRegistryBytecode } from '../../src/chain/artifacts.ts'
import {
  TransactionRevertedError,
  writeContractAndWait,
} from '../../src/chain/writeContractAndWait.ts'
import {
  type EnclaveRegistration,
  enclaveApprovalTypes,
  registryDomain,
} from '../../src/protocol/enclaveApproval.ts'
import { label, zeroHash } from '../support/protocolHarness.ts'
import { defaults, type Market, malleableTwin, startMarket } from './marketFixture.ts'

/** A call whose arguments the contract cannot decode (an enum value it does not define) reverts without data. */
const undecodable = (error: unknown) =>
  error instanceof TransactionRevertedError &&
  error.errorArgs.length === 0 &&
  [undefined, 'execution reverted'].includes(error.errorName)

describe('TEE, solution and data offers', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  it('creates, versions, disables and re-enables TEE offers, provider only', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    const count = await h.read<number>('teeOfferCount')
    const { receipt } = await h.send(provider, 'createTeeOffer', [1, parseEther('2'), 4])
    const id = h.idFrom(receipt.logs, 'TeeOfferCreated')
    assert.equal(id, count + 1)
    assert.equal(await h.read('teeOfferCount'), id)
    assert.deepEqual(await h.read('getTeeOffer', [id]), {
      provider: provider.account.address,
      hardware: 1,
      active: true,
      capacity: 4,
      activeOrders: 0,
      version: 1,
      price: parseEther('2'),
    })
    await assert.rejects(h.send(provider, 'createTeeOffer', [5, 1n, 1]), undecodable)
    await h.reverts(h.send(provider, 'createTeeOffer', [1, 1n, 0]), 'ZeroCapacity')
    await h.reverts(h.send(stranger, 'updateTeeOffer', [id, 1n, 1]), 'NotTeeOfferProvider')
    await h.reverts(h.send(provider, 'updateTeeOffer', [999, 1n, 1]), 'TeeOfferNotFound')
    await h.reverts(h.send(provider, 'updateTeeOffer', [id, 1n, 0]), 'ZeroCapacity')
    const updated = await h.send(provider, 'updateTeeOffer', [id, parseEther('3'), 8])
    assert.deepEqual(m.eventArgs(updated.receipt.logs, 'TeeOfferUpdated'), {
      offerId: id,
      version: 2,
      price: parseEther('3'),
      capacity: 8,
    })
    const offer = await h.read<{ version: number; price: bigint; capacity: number }>(
      'getTeeOffer',
      [id],
    )
    assert.deepEqual([offer.version, offer.price, offer.capacity], [2, parseEther('3'), 8])
    await h.reverts(h.send(stranger, 'setTeeOfferActive', [id, false]), 'NotTeeOfferProvider')
    await h.send(provider, 'setTeeOfferActive', [id, false])
    assert.equal((await h.read<{ active: boolean }>('getTeeOffer', [id])).active, false)
    await h.send(provider, 'setTeeOfferActive', [id, true])
    assert.equal((await h.read<{ active: boolean }>('getTeeOffer', [id])).active, true)
    // Orders keep the price they were created with.
    const before = await m.create()
    await h.send(provider, 'updateTeeOffer', [m.teeOfferId, parseEther('9'), 10])
    assert.equal(before.terms.teePrice, parseEther('3'))
    await h.send(provider, 'acceptOrder', [before.terms])
    await m.deliver(before)
    assert.equal((await m.create()).terms.teePrice, parseEther('9'))
  })

  it('keeps solution and data offers with their restrictions, owner only', async () => {
    const { h } = m
    const { modelVendor, dataVendor, stranger } = m.dev.signers
    await h.reverts(
      h.send(modelVendor, 'createSolutionOffer', [zeroHash, 5n, 2, zeroHash, zeroHash, []]),
      'ZeroHash',
    )
    const solution = await m.newSolutionOffer('model', 5n, {
      hardwareMask: 0b10,
      requiredMeasurement: label('runtime'),
      allowedTeeOffers: [7, 9],
    })
    assert.equal(await h.read('solutionOfferCount'), solution)
    assert.deepEqual(await h.read('getSolutionOffer', [solution]), {
      owner: modelVendor.account.address,
      active: true,
      hardwareMask: 2,
      restrictTeeOffers: true,
      version: 1,
      price: 5n,
      solutionHash: label('model'),
      requiredMeasurement: label('runtime'),
      bundleHash: label('model bundle'),
    })
    assert.equal(await h.read('solutionAllowsTeeOffer', [solution, 7]), true)
    assert.equal(await h.read('solutionAllowsTeeOffer', [solution, 8]), false)
    await h.reverts(h.send(stranger, 'updateSolutionOffer', [solution, 1n]), 'NotOfferOwner')
    await h.reverts(h.send(stranger, 'setSolutionOfferActive', [solution, false]), 'NotOfferOwner')
    await h.reverts(h.send(modelVendor, 'updateSolutionOffer', [999, 1n]), 'OfferNotFound')
    await h.send(modelVendor, 'updateSolutionOffer', [solution, 6n])
    await h.send(modelVendor, 'setSolutionOfferActive', [solution, false])
    const stored = await h.read<{ version: number; price: bigint; active: boolean }>(
      'getSolutionOffer',
      [solution],
    )
    assert.deepEqual([stored.version, stored.price, stored.active], [2, 6n, false])
    await h.reverts(h.send(dataVendor, 'createDataOffer', [zeroHash, 9n, [], []]), 'ZeroHash')
    const data = h.idFrom(
      (await h.send(dataVendor, 'createDataOffer', [label('dataset'), 9n, [solution], [3]])).receipt
        .logs,
      'DataOfferCreated',
    )
    assert.equal(await h.read('dataOfferCount'), data)
    assert.deepEqual(await h.read('getDataOffer', [data]), {
      owner: dataVendor.account.address,
      active: true,
      restrictSolutions: true,
      restrictTeeOffers: true,
      version: 1,
      price: 9n,
      dataHash: label('dataset'),
    })
    assert.equal(await h.read('dataAllowsSolutionOffer', [data, solution]), true)
    assert.equal(await h.read('dataAllowsTeeOffer', [data, 3]), true)
    assert.equal(await h.read('dataAllowsTeeOffer', [data, 4]), false)
    await h.reverts(h.send(modelVendor, 'updateDataOffer', [data, 1n]), 'NotOfferOwner')
    await h.reverts(h.send(modelVendor, 'setDataOfferActive', [data, false]), 'NotOfferOwner')
    await h.send(dataVendor, 'updateDataOffer', [data, 10n])
    await h.send(dataVendor, 'setDataOfferActive', [data, false])
    const dataStored = await h.read<{ version: number; price: bigint; active: boolean }>(
      'getDataOffer',
      [data],
    )
    assert.deepEqual([dataStored.version, dataStored.price, dataStored.active], [2, 10n, false])
  })
})

describe('enclave registry', () => {
  let m: Market
  /** Two more committee members, for the k-of-n tests (keys of this test only). */
  const extra = [
    privateKeyToAccount(generatePrivateKey()),
    privateKeyToAccount(generatePrivateKey()),
  ]
  const byAddress = (a: PrivateKeyAccount, b: PrivateKeyAccount) =>
    BigInt(a.address) < BigInt(b.address) ? -1 : 1
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  const register = (
    signer: Market['dev']['signers']['provider'],
    registration: EnclaveRegistration,
    epoch: bigint,
    approvals: Hex[],
  ) => m.h.send(signer, 'registerEnclave', [registration, epoch, approvals])
  const epoch = () => m.h.read<bigint>('committeeEpoch')
  /** Has governance make `members` (k = `threshold`) the committee, and activates it. */
  async function setCommittee(members: PrivateKeyAccount[], threshold: number) {
    const sorted = [...members].sort(byAddress).map((member) => member.address)
    await m.governed('proposeCommittee', [sorted, threshold])
    await m.dev.increaseTime(defaults.governanceDelay)
    await m.h.send(m.dev.signers.stranger, 'activateCommittee')
  }

  it('registers an enclave with the committee’s approval of exactly its fields', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const { key, registration } = await h.newEnclave(provider, {
      hardware: 2,
      collateralHash: label('collateral'),
      gpuEvidenceHash: label('gpu evidence'),
    })
    await h.reverts(register(provider, registration, await epoch(), []), 'NotEnoughApprovals')
    const approvals = await h.approvals(registration)
    const changes: Partial<EnclaveRegistration>[] = [
      { enclave: privateKeyToAccount(generatePrivateKey()).address },
      { hardware: 1 },
      { expiresAt: registration.expiresAt + 1 },
      { hpkePublicKey: label('other hpke key') },
      { evidenceHash: label('other evidence') },
      { collateralHash: label('other collateral') },
      { gpuEvidenceHash: label('other gpu evidence') },
    ]
    for (const change of changes)
      await h.reverts(
        register(provider, { ...registration, ...change }, await epoch(), approvals),
        'InvalidApprover',
      )
    const { receipt } = await register(provider, registration, await epoch(), approvals)
    assert.deepEqual(m.eventArgs(receipt.logs, 'EnclaveRegistered'), {
      enclave: key.address,
      provider: provider.account.address,
      registration,
    })
    assert.equal(await h.read('isEnclaveUsable', [key.address]), true)
    assert.deepEqual(await h.read('getEnclave', [key.address]), {
      provider: provider.account.address,
      hardware: 2,
      status: 1,
      expiresAt: registration.expiresAt,
      revokedAt: 0,
      revokedByCommittee: false,
      measurement: registration.measurement,
      hpkePublicKey: registration.hpkePublicKey,
      evidenceHash: registration.evidenceHash,
      collateralHash: registration.collateralHash,
      gpuEvidenceHash: registration.gpuEvidenceHash,
    })
    assert.deepEqual(await h.read('enclaveForOrder', [key.address]), [
      provider.account.address,
      2,
      registration.measurement,
      registration.expiresAt,
    ])
    await h.reverts(
      register(provider, registration, await epoch(), approvals),
      'EnclaveAlreadyRegistered',
    )
  })

  it('refuses a registration naming another provider than the caller', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    const { registration } = await h.newEnclave(provider)
    const approvals = await h.approvals(registration)
    // Seen on its way, the provider's registration cannot be registered by someone else…
    await h.reverts(
      register(stranger, registration, await epoch(), approvals),
      'NotRegistrationProvider',
    )
    // …nor rewritten to name the squatter: the approvals are of the provider's.
    await h.reverts(
      register(
        stranger,
        { ...registration, provider: stranger.account.address },
        await epoch(),
        approvals,
      ),
      'InvalidApprover',
    )
    await register(provider, registration, await epoch(), approvals)
  })

  it('refuses malformed, expired or unlisted registrations and approvals that do not count', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const { registration } = await h.newEnclave(provider)
    const refusedRegistration = async (change: Partial<EnclaveRegistration>, errorName: string) => {
      const changed = { ...registration, ...change }
      await h.reverts(
        register(provider, changed, await epoch(), await h.approvals(changed)),
        errorName,
      )
    }
    await refusedRegistration({ expiresAt: await h.now() }, 'InvalidRegistration')
    await refusedRegistration({ hpkePublicKey: zeroHash }, 'InvalidRegistration')
    await refusedRegistration(
      { enclave: '0x0000000000000000000000000000000000000000' },
      'InvalidRegistration',
    )
    await refusedRegistration({ measurement: label('unlisted') }, 'MeasurementNotAllowed')
    const badHardware = { ...registration, hardware: 9 }
    await assert.rejects(
      register(provider, badHardware, await epoch(), await h.approvals(badHardware)),
      undecodable,
    )
    // A measurement governance proposed is not usable before its delay has passed.
    const proposed = label('proposed runtime')
    await m.governed('proposeMeasurement', [proposed, 'https://example.org/proposed'])
    await refusedRegistration({ measurement: proposed }, 'MeasurementNotAllowed')
    // Approvals by an outsider, in malleable form, or claiming another epoch.
    const outsider = privateKeyToAccount(generatePrivateKey())
    await h.reverts(
      register(provider, registration, await epoch(), await h.approvals(registration, [outsider])),
      'InvalidApprover',
    )
    const [approval] = (await h.approvals(registration)) as [Hex]
    await h.reverts(
      register(provider, registration, await epoch(), [malleableTwin(approval)]),
      'ECDSAInvalidSignatureS',
    )
    await h.reverts(
      register(provider, registration, (await epoch()) + 1n, [approval]),
      'StaleCommitteeEpoch',
    )
    await register(provider, registration, await epoch(), [approval])
  })

  it('binds approvals to this registry on this chain', async () => {
    const { h, dev } = m
    const { provider, deployer } = dev.signers
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
    const { registration } = await h.newEnclave(provider)
    const signFor = (chainId: number, registry: Address) =>
      h.member.signTypedData({
        domain: registryDomain(chainId, registry),
        types: enclaveApprovalTypes,
        primaryType: 'EnclaveApproval',
        message: { ...registration, committeeEpoch: 1n },
      })
    const onOther = (approval: Hex) =>
      writeContractAndWait(provider, {
        address: other,
        abi: enclaveRegistryAbi,
        functionName: 'registerEnclave',
        args: [registration, 1n, [approval]],
      })
    const approvalForThis = (await h.approvals(registration, [h.member], 1n))[0] as Hex
    await h.reverts(onOther(approvalForThis), 'InvalidApprover')
    await h.reverts(onOther(await signFor(1, other)), 'InvalidApprover')
    await onOther(await signFor(dev.deployment.chainId, other))
    await h.reverts(
      register(provider, registration, await epoch(), [
        await signFor(dev.deployment.chainId, other),
      ]),
      'InvalidApprover',
    )
    await h.reverts(
      register(provider, registration, await epoch(), [
        await signFor(1, dev.deployment.contracts.registry),
      ]),
      'InvalidApprover',
    )
  })

  it('lets only the provider revoke its enclave, the committee with k approvals, and enclaves expire', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    const short = await m.registeredEnclave(provider, { expiresAt: (await h.now()) + 3600 })
    await h.reverts(h.send(stranger, 'revokeEnclave', [short.address]), 'NotEnclaveProvider')
    await m.dev.increaseTime(3600)
    assert.equal(await h.read('isEnclaveUsable', [short.address]), false)
    await assert.rejects(
      h.read('enclaveForOrder', [short.address]),
      (error) =>
        error instanceof BaseError &&
        (
          error.walk((inner) => inner instanceof ContractFunctionRevertedError) as
            | ContractFunctionRevertedError
            | undefined
        )?.data?.errorName === 'EnclaveNotUsable',
    )
    const own = await m.registeredEnclave(provider)
    await h.send(provider, 'revokeEnclave', [own.address])
    assert.equal(await h.read('isEnclaveUsable', [own.address]), false)
    await h.reverts(h.send(provider, 'revokeEnclave', [own.address]), 'EnclaveNotActive')
    const byCommittee = await m.registeredEnclave(provider)
    const outsider = privateKeyToAccount(generatePrivateKey())
    const forged = await m.revocation(byCommittee.address, [outsider])
    await h.reverts(
      h.send(stranger, 'revokeEnclaveByCommittee', [
        byCommittee.address,
        forged.committeeEpoch,
        forged.signatures,
      ]),
      'InvalidApprover',
    )
    await h.reverts(
      h.send(stranger, 'revokeEnclaveByCommittee', [byCommittee.address, await epoch(), []]),
      'NotEnoughApprovals',
    )
    const { committeeEpoch, signatures } = await m.revocation(byCommittee.address)
    await h.send(stranger, 'revokeEnclaveByCommittee', [
      byCommittee.address,
      committeeEpoch,
      signatures,
    ])
    assert.equal(await h.read('isEnclaveUsable', [byCommittee.address]), false)
    await h.reverts(
      h.send(stranger, 'revokeEnclaveByCommittee', [
        byCommittee.address,
        committeeEpoch,
        signatures,
      ]),
      'EnclaveNotActive',
    )
  })

  it('needs k distinct members in increasing order once governance makes the committee k of n', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    const members = [h.member, ...extra].sort(byAddress)
    await setCommittee(members, 2)
    assert.equal(await h.read('committeeThreshold'), 2)
    const [first, second] = members as [PrivateKeyAccount, PrivateKeyAccount]
    const { key, registration } = await h.newEnclave(provider)
    const one = await h.approvals(registration, [first])
    await h.reverts(register(provider, registration, await epoch(), one), 'NotEnoughApprovals')
    const two = (await h.approvals(registration, [first, second])) as [Hex, Hex]
    await h.reverts(
      register(provider, registration, await epoch(), [two[1], two[0]]),
      'InvalidApprover',
    )
    await h.reverts(
      register(provider, registration, await epoch(), [two[0], two[0]]),
      'InvalidApprover',
    )
    await register(provider, registration, await epoch(), two)
    assert.equal(await h.read('isEnclaveUsable', [key.address]), true)
    const alone = await m.revocation(key.address, [first])
    await h.reverts(
      h.send(stranger, 'revokeEnclaveByCommittee', [
        key.address,
        alone.committeeEpoch,
        alone.signatures,
      ]),
      'NotEnoughApprovals',
    )
  })

  it('counts approvals only in the committee epoch they were signed for', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    const members = [h.member, ...extra].sort(byAddress)
    const [removed] = extra as [PrivateKeyAccount]
    const { registration } = await h.newEnclave(provider)
    const signedEpoch = await epoch()
    const old = await h.approvals(registration, [h.member, removed], signedEpoch)
    const oldRevocation = await m.revocation(m.enclave.address, [h.member, removed])
    // Governance removes a member, then adds it back: its old signatures must stay dead.
    await setCommittee(
      members.filter((member) => member.address !== removed.address),
      2,
    )
    await setCommittee(members, 2)
    assert.equal(await epoch(), signedEpoch + 2n)
    assert.equal(await h.read('isCommitteeMember', [removed.address]), true)
    await h.reverts(register(provider, registration, signedEpoch, old), 'StaleCommitteeEpoch')
    await h.reverts(register(provider, registration, await epoch(), old), 'InvalidApprover')
    await h.reverts(
      h.send(stranger, 'revokeEnclaveByCommittee', [
        m.enclave.address,
        oldRevocation.committeeEpoch,
        oldRevocation.signatures,
      ]),
      'StaleCommitteeEpoch',
    )
    await register(
      provider,
      registration,
      await epoch(),
      await h.approvals(registration, [h.member, removed]),
    )
  })
})
