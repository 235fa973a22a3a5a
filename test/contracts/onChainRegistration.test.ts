import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  BaseError,
  createTestClient,
  decodeErrorResult,
  encodeDeployData,
  type Hex,
  http,
  padHex,
  sha256,
  toHex,
  zeroHash,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { readPckExtensions } from '../../src/attestation/intel/pckExtensions.ts'
import { parseIntelQuote } from '../../src/attestation/intel/quote.ts'
import { getEnclavePlatform } from '../../src/chain/actions/registry/getEnclavePlatform.ts'
import { getTdxVerification } from '../../src/chain/actions/registry/getTdxVerification.ts'
import { isEnclaveUsable } from '../../src/chain/actions/registry/isEnclaveUsable.ts'
import { isTcbSuspended } from '../../src/chain/actions/registry/isTcbSuspended.ts'
import { reattestTdxEnclave } from '../../src/chain/actions/registry/reattestTdxEnclave.ts'
import { registerEnclaveOnPlatform } from '../../src/chain/actions/registry/registerEnclaveOnPlatform.ts'
import { registerTdxEnclave } from '../../src/chain/actions/registry/registerTdxEnclave.ts'
import { revokeEnclave } from '../../src/chain/actions/registry/revokeEnclave.ts'
import { deployTdxQuoteVerifier } from '../../src/chain/actions/tdx/deployTdxQuoteVerifier.ts'
import { postTdxCollateral } from '../../src/chain/actions/tdx/postTdxCollateral.ts'
import { enclaveRegistryAbi, enclaveRegistryBytecode } from '../../src/chain/artifacts.ts'
import { connectSigner } from '../../src/chain/connectChain.ts'
import {
  deployContracts,
  TdxVerificationUnavailableError,
} from '../../src/chain/deployContracts.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { startLocalChain } from '../../src/chain/startLocalChain.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import {
  type EnclaveRegistration,
  enclavePlatformApprovalTypes,
  registryDomain,
} from '../../src/protocol/enclaveApproval.ts'
import { runtimeMeasurementOf } from '../../src/protocol/runtimeMeasurement.ts'
import { evidenceVector, vectorsMissing } from '../attestationVectors.ts'
import { label } from '../support/protocolHarness.ts'
import { type Market, startMarket } from './marketFixture.ts'
import {
  createTdxRegistrationFixture,
  quoteTdxEnclave,
  type TdxEnclave,
  type TdxRegistrationFixture,
} from './tdxRegistrationFixture.ts'
import { pckChainOf, startTdxChain, vectorCollateral } from './tdxVerifierHarness.ts'

/**
 * The PlatformInstanceID (OID 1.2.840.113741.1.13.1.6) of a PCK certificate's SGX extension, read
 * straight from its DER (the off-chain parser does not keep it): undefined when absent or zero.
 */
function platformInstanceIdOf(pck: { rawData: ArrayBuffer }): Uint8Array | undefined {
  const der = new Uint8Array(pck.rawData)
  const oid = [0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01, 0x06]
  for (let at = 0; at + oid.length + 18 <= der.length; at++) {
    if (!oid.every((byte, index) => der[at + index] === byte)) continue
    const value = der.subarray(at + oid.length + 2, at + oid.length + 18)
    if (der[at + oid.length] !== 0x04 || der[at + oid.length + 1] !== 16) return undefined
    return value.some((byte) => byte !== 0) ? value : undefined
  }
  return undefined
}

describe('registration by on-chain TDX verification (quotes signed by the stand-in Intel PKI)', {
  skip: vectorsMissing,
}, () => {
  let m: Market
  let fixture: TdxRegistrationFixture
  let store: Hex
  let enclave: TdxEnclave
  let tdxOfferId: number
  /** The quoted platform: the PCK certificate's platform instance ID (else its PPID), left-aligned. */
  let platform: Hex
  const register = (registered: TdxEnclave, signer = m.dev.signers.provider) =>
    registerTdxEnclave(signer, registered)

  before(async () => {
    fixture = await createTdxRegistrationFixture(Math.floor(Date.now() / 1000))
    m = await startMarket({
      genesisMeasurements: [measureRuntime(), fixture.measurement],
      tdxVerification: { standInRootCertificate: new Uint8Array(fixture.pki.root.rawData) },
    })
    const verification = await getTdxVerification(m.dev.signers.deployer)
    assert.ok(verification)
    store = verification.store
    await postTdxCollateral(m.dev.signers.deployer, { store, collateral: fixture.collateral })
    const [pck] = pckChainOf(fixture.pki.quote)
    assert.ok(pck)
    platform = padHex(toHex(platformInstanceIdOf(pck) ?? readPckExtensions(pck).ppid), {
      dir: 'right',
      size: 32,
    })
    tdxOfferId = await m.newTeeOffer(m.dev.signers.provider, undefined, 10, 1)
  })
  after(() => m?.dev.stop())

  it('says on-chain that its root is a stand-in and which TCB statuses it accepts', async () => {
    const verification = await getTdxVerification(m.dev.signers.customer)
    assert.equal(verification?.usesIntelRoot, false)
    assert.deepEqual(verification?.acceptedTcbStatuses, ['UpToDate'])
  })

  it('registers an enclave whose quote binds keys made in the test, with no committee approval', async () => {
    const { provider } = m.dev.signers
    enclave = await quoteTdxEnclave(fixture, provider)
    const { receipt } = await register(enclave)
    const events = m.h.eventsOf(receipt.logs).map((event) => event.eventName)
    assert.deepEqual(
      ['EnclaveQuoteVerified', 'PlatformBound', 'EnclaveRegistered'].filter((name) =>
        events.includes(name as never),
      ),
      ['EnclaveQuoteVerified', 'PlatformBound', 'EnclaveRegistered'],
    )
    const record = await m.h.read<{ status: number; provider: string; hardware: number }>(
      'getEnclave',
      [enclave.key.address],
    )
    assert.deepEqual(
      [record.status, record.provider, record.hardware],
      [1, provider.account.address, 1],
    )
    assert.equal(await isEnclaveUsable(provider, { enclave: enclave.key.address }), true)
    assert.equal(await isTcbSuspended(provider, { enclave: enclave.key.address }), false)
    // Its TCB status moves with collateral anyone may post: the market asks the registry at every use.
    const [access] = await m.h.read<[{ tcbJudgedOnChain: boolean }]>('enclaveAccessOf', [
      enclave.key.address,
    ])
    assert.equal(access.tcbJudgedOnChain, true)
    assert.deepEqual(await getEnclavePlatform(provider, { enclave: enclave.key.address }), {
      platform,
      boundProvider: provider.account.address,
    })
  })

  it('refuses quotes that do not bind the registration, and registrations the quote does not back', async () => {
    const { provider, stranger } = m.dev.signers
    const fresh = () => quoteTdxEnclave(fixture, provider)
    const cases: [string, () => Promise<TdxEnclave>, string][] = [
      ['another provider sends it', fresh, 'NotRegistrationProvider'],
      [
        'report_data binds another HPKE key',
        () => quoteTdxEnclave(fixture, provider, { bind: { hpkePublicKey: label('other key') } }),
        'ReportDataMismatch',
      ],
      [
        'the evidence hash is not the quote',
        async () => {
          const e = await fresh()
          return { ...e, registration: { ...e.registration, evidenceHash: label('other') } }
        },
        'EvidenceHashMismatch',
      ],
      [
        'the measurement is another allowed one',
        async () => {
          const e = await fresh()
          return { ...e, registration: { ...e.registration, measurement: measureRuntime() } }
        },
        'MeasurementMismatch',
      ],
      [
        'the hardware is not TDX',
        async () => {
          const e = await fresh()
          return { ...e, registration: { ...e.registration, hardware: 0 } }
        },
        'InvalidRegistration',
      ],
      [
        'the expiry is more than 30 days ahead',
        () => quoteTdxEnclave(fixture, provider, { validitySeconds: 31 * 86_400 }),
        'ExpiryTooLate',
      ],
      [
        'the freshness block named is not the quoted one',
        async () => ({ ...(await fresh()), freshnessBlock: 1n }),
        'FreshnessNotRecent',
      ],
      ['the enclave is registered already', async () => enclave, 'EnclaveAlreadyRegistered'],
    ]
    for (const [what, make, error] of cases) {
      const signer = what === 'another provider sends it' ? stranger : provider
      await assert.doesNotReject(m.h.reverts(register(await make(), signer), error), what)
    }
    // Evidence made more than 256 blocks ago is not fresh: its block hash is out of the chain's reach.
    const stale = await fresh()
    const testClient = createTestClient({ mode: 'anvil', transport: http(m.dev.chain.rpcUrl) })
    await testClient.mine({ blocks: 257 })
    await m.h.reverts(register(stale), 'FreshnessNotRecent')
  })

  it('refuses an enclave on a platform another provider registered', async () => {
    const { provider, stranger } = m.dev.signers
    const intruder = await quoteTdxEnclave(fixture, stranger)
    await assert.rejects(register(intruder, stranger), (error: Error & { errorName?: string }) => {
      assert.equal(error.errorName, 'PlatformBoundToAnotherProvider')
      assert.match(error.message, new RegExp(provider.account.address, 'i'))
      return true
    })
  })

  it('suspends the enclave when newer collateral puts its platform OutOfDate: no new orders, running ones refunded without slashing', async () => {
    const { provider, stranger } = m.dev.signers
    const onTdx = { enclave: enclave.key.address, teeOfferId: tdxOfferId }
    const running = await m.accepted(onTdx)
    const waiting = await m.create(onTdx)
    const stakeBefore = await m.stakeOf()

    await postTdxCollateral(stranger, { store, collateral: await fixture.outOfDateCollateral(1) })
    assert.equal(await isTcbSuspended(provider, { enclave: enclave.key.address }), true)
    assert.equal(await isEnclaveUsable(provider, { enclave: enclave.key.address }), false)
    await m.h.reverts(m.create(onTdx), 'EnclaveNotUsable')
    await m.h.reverts(m.h.send(provider, 'acceptOrder', [waiting.terms]), 'EnclaveNotUsable')
    await m.h.reverts(
      m.submitReceipt(await m.receiptFor(running, { key: enclave.key })),
      'EnclaveNotUsable',
    )

    await m.dev.increaseTime(721)
    const refunded = await m.h.send(stranger, 'refundOrder', [running.terms])
    assert.equal(
      m.eventArgs<{ slashed: bigint }>(refunded.receipt.logs, 'OrderRefunded').slashed,
      0n,
    )
    assert.equal((await m.stakeOf()).active, stakeBefore.active)
    assert.equal(await m.status(running.orderId), 'refunded')
  })

  it('takes the enclave back once its updated platform re-attests; a quote of the old platform cannot', async () => {
    const { provider } = m.dev.signers
    const old = await quoteTdxEnclave(fixture, provider, { of: enclave })
    await m.h.reverts(reattestTdxEnclave(provider, old), 'TcbStatusNotAccepted')
    const updated = await quoteTdxEnclave(fixture, provider, { of: enclave, updated: true })
    const { receipt } = await reattestTdxEnclave(provider, updated)
    assert.ok(m.h.eventsOf(receipt.logs).some((event) => event.eventName === 'EnclaveReattested'))
    assert.equal(await isTcbSuspended(provider, { enclave: enclave.key.address }), false)
    assert.equal(await isEnclaveUsable(provider, { enclave: enclave.key.address }), true)
    const order = await m.accepted({ enclave: enclave.key.address, teeOfferId: tdxOfferId })
    await m.submitReceipt(await m.receiptFor(order, { key: enclave.key }))
    assert.equal(await m.status(order.orderId), 'completed')
    // Another enclave's keys cannot re-attest as this one.
    const impostor = await quoteTdxEnclave(fixture, provider, { updated: true })
    await m.h.reverts(
      reattestTdxEnclave(provider, {
        ...impostor,
        registration: { ...impostor.registration, enclave: enclave.key.address },
      }),
      'ReattestationChangesEnclave',
    )
  })

  it('binds a SEV-SNP platform (CHIP_ID) the committee approved, and refuses it to another provider', async () => {
    const { provider, stranger } = m.dev.signers
    const chipIdPlatform = sha256(new Uint8Array(64).fill(7))
    const approve = async (registration: EnclaveRegistration) => {
      const committeeEpoch = await m.h.read<bigint>('committeeEpoch')
      const approval = await m.h.member.signTypedData({
        domain: registryDomain(m.dev.deployment.chainId, m.dev.deployment.contracts.registry),
        types: enclavePlatformApprovalTypes,
        primaryType: 'EnclavePlatformApproval',
        message: { ...registration, platform: chipIdPlatform, committeeEpoch },
      })
      return { registration, platform: chipIdPlatform, committeeEpoch, approvals: [approval] }
    }
    const { registration } = await m.h.newEnclave(provider, { hardware: 2 })
    await registerEnclaveOnPlatform(provider, await approve(registration))
    assert.deepEqual(await getEnclavePlatform(provider, { enclave: registration.enclave }), {
      platform: chipIdPlatform,
      boundProvider: provider.account.address,
    })
    const other = await m.h.newEnclave(stranger, { hardware: 2 })
    await m.h.reverts(
      registerEnclaveOnPlatform(stranger, await approve(other.registration)),
      'PlatformBoundToAnotherProvider',
    )
    // An approval of the plain registration does not bind a platform.
    const plain = await m.h.newEnclave(provider, { hardware: 2 })
    await m.h.reverts(
      registerEnclaveOnPlatform(provider, {
        ...(await approve(plain.registration)),
        approvals: await m.h.approvals(plain.registration),
      }),
      'InvalidApprover',
    )
  })

  it('frees the platform once its provider revoked every enclave on it, for another provider to bind', async () => {
    const { provider, stranger } = m.dev.signers
    const { receipt } = await revokeEnclave(provider, { enclave: enclave.key.address })
    assert.ok(m.h.eventsOf(receipt.logs).some((event) => event.eventName === 'PlatformReleased'))
    assert.equal(
      (await getEnclavePlatform(provider, { enclave: enclave.key.address }))?.boundProvider,
      undefined,
    )
    const newcomer = await quoteTdxEnclave(fixture, stranger, { updated: true })
    await register(newcomer, stranger)
    assert.deepEqual(await getEnclavePlatform(stranger, { enclave: newcomer.key.address }), {
      platform,
      boundProvider: stranger.account.address,
    })
    await m.h.reverts(
      register(await quoteTdxEnclave(fixture, provider, { updated: true })),
      'PlatformBoundToAnotherProvider',
    )
  })
})

describe("a real quote through the registry, under Intel's root", { skip: vectorsMissing }, () => {
  it('passes authenticity and TCB status (UpToDate, as MANIFEST.md says) and fails only the binding it cannot have', async () => {
    const tdx = await startTdxChain()
    try {
      await tdx.setTime('2025-06-20T00:00:00Z')
      const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
      const report = parseIntelQuote(quote).body
      assert.notEqual(report.kind, 'sgx')
      if (report.kind === 'sgx') return
      const rtmrs = Object.fromEntries(
        report.report.rtmrs.map((value, index) => [`rtmr${index}`, toHex(value)]),
      )
      const measurement = runtimeMeasurementOf({
        tee: 'tdx',
        measurement: { mrtd: toHex(report.report.mrTd), ...rtmrs },
      }) as Hex
      const { signer } = tdx
      const deployment = await deployContracts(signer, {
        genesisMeasurements: [measurement],
        committee: [signer.account.address],
        committeeThreshold: 1,
        governanceOwners: [
          signer.account.address,
          privateKeyToAccount(devPrivateKey(devRoles.stranger)).address,
        ],
        governanceThreshold: 2,
        tdxVerification: 'intel',
      })
      const chain = { ...signer, deployment }
      const verification = await getTdxVerification(chain)
      assert.equal(verification?.usesIntelRoot, true)
      await postTdxCollateral(signer, {
        store: (verification as { store: Hex }).store,
        collateral: vectorCollateral('P-TDX', quote),
      })
      const latest = await signer.publicClient.getBlock()
      await assert.rejects(
        registerTdxEnclave(chain, {
          registration: {
            enclave: privateKeyToAccount(generatePrivateKey()).address,
            provider: signer.account.address,
            hardware: 1,
            expiresAt: Number(latest.timestamp) + 86_400,
            measurement,
            hpkePublicKey: label('hpke'),
            evidenceHash: sha256(quote),
            collateralHash: label('collateral'),
            gpuEvidenceHash: zeroHash,
          },
          quote,
          freshnessBlock: latest.number - 1n,
        }),
        (error: Error & { errorName?: string }) => {
          // Every check before the binding passed: quote, PCK chain, collateral, UpToDate, measurement.
          assert.equal(error.errorName, 'ReportDataMismatch', error.message)
          return true
        },
      )
    } finally {
      await tdx.stop()
    }
  })
})

describe('where the chain cannot verify quotes', () => {
  it('deploys committee-only without the P-256 precompile, and refuses registration by quote', async () => {
    const chain = await startLocalChain({ hardfork: 'prague', chainId: 1_337 })
    try {
      const deployer = await connectSigner(chain.rpcUrl, devPrivateKey(devRoles.deployer))
      const settings = {
        genesisMeasurements: [label('m')],
        committee: [deployer.account.address],
        committeeThreshold: 1,
        governanceOwners: [
          deployer.account.address,
          privateKeyToAccount(devPrivateKey(devRoles.stranger)).address,
        ],
        governanceThreshold: 2,
      }
      await assert.rejects(
        deployContracts(deployer, { ...settings, tdxVerification: 'intel' }),
        TdxVerificationUnavailableError,
      )
      await assert.rejects(
        deployContracts(deployer, {
          ...settings,
          tdxVerification: { standInRootCertificate: new Uint8Array(8) },
        }),
        /development chains \(id 31337\) only/,
      )
      const deployment = await deployContracts(deployer, settings)
      const signer = { ...deployer, deployment }
      assert.equal(await getTdxVerification(signer), undefined)
      await assert.rejects(
        registerTdxEnclave(signer, {
          registration: {
            enclave: deployer.account.address,
            provider: deployer.account.address,
            hardware: 1,
            expiresAt: Math.floor(Date.now() / 1000) + 3_600,
            measurement: label('m'),
            hpkePublicKey: label('k'),
            evidenceHash: label('e'),
            collateralHash: label('c'),
            gpuEvidenceHash: label('g'),
          },
          quote: new Uint8Array(4),
          freshnessBlock: 1n,
        }),
        /OnChainVerificationUnavailable/,
      )
    } finally {
      await chain.stop()
    }
  })

  it('a registry refuses a verifier rooted in a stand-in outside the development chain', async () => {
    const chain = await startLocalChain({ chainId: 1_337 })
    try {
      const deployer = await connectSigner(chain.rpcUrl, devPrivateKey(devRoles.deployer))
      const pki = await createTdxRegistrationFixture(Math.floor(Date.now() / 1000))
      const { verifier } = await deployTdxQuoteVerifier(deployer, {
        standInRootCertificate: new Uint8Array(pki.pki.root.rawData),
      })
      const data = encodeDeployData({
        abi: enclaveRegistryAbi,
        bytecode: enclaveRegistryBytecode,
        args: [deployer.account.address, 60, [], [deployer.account.address], 1, verifier, 1],
      })
      const failure = await deployer.publicClient.call({ data }).catch((error: BaseError) => error)
      assert.ok(failure instanceof BaseError)
      const revert = failure.walk((cause) => typeof (cause as { data?: unknown }).data === 'string')
      const decoded = decodeErrorResult({
        abi: enclaveRegistryAbi,
        data: (revert as unknown as { data: Hex }).data,
      })
      assert.equal(decoded.errorName, 'StandInRootOutsideDevelopment')
      assert.equal(decoded.args?.[1], 1_337n)
    } finally {
      await chain.stop()
    }
  })
})
