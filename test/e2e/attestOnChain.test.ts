import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { bytesToHex, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { getEnclave } from '../../src/chain/actions/registry/getEnclave.ts'
import { getEnclavePlatform } from '../../src/chain/actions/registry/getEnclavePlatform.ts'
import { getTdxVerification } from '../../src/chain/actions/registry/getTdxVerification.ts'
import { isEnclaveUsable } from '../../src/chain/actions/registry/isEnclaveUsable.ts'
import { postTdxCollateral } from '../../src/chain/actions/tdx/postTdxCollateral.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import type { EnclaveIdentity } from '../../src/protocol/enclaveInterface.ts'
import { encodeReportData } from '../../src/protocol/reportData.ts'
import { createAttestationKeeper } from '../../src/provider/attestOnChain.ts'
import type { EnclaveClient } from '../../src/provider/enclaveClient.ts'
import { registerEnclave } from '../../src/provider/registerEnclave.ts'
import { createFsBlobStore } from '../../src/storage/fsBlobStore.ts'
import { vectorsMissing } from '../attestationVectors.ts'
import { type Market, startMarket } from '../contracts/marketFixture.ts'
import {
  createTdxRegistrationFixture,
  type TdxRegistrationFixture,
} from '../contracts/tdxRegistrationFixture.ts'

/**
 * The provider's side of registration by on-chain verification: it registers a TDX enclave
 * without any committee, notices when newer collateral suspends it, and re-attests once the
 * platform is updated. The TDX hardware is the simulated part: a stand-in that answers `attest`
 * with a quote of the tests' stand-in Intel PKI over the report_data the runtime would compute
 * for its keys (made here), as the TDX module signs a runtime's report.
 */
describe('the provider registers and keeps attested a TDX enclave by on-chain verification', {
  skip: vectorsMissing,
}, () => {
  let m: Market
  let fixture: TdxRegistrationFixture
  let store: Hex
  let directory: string
  let platformUpdated = false
  const key = privateKeyToAccount(generatePrivateKey())
  const hpkePublicKey = bytesToHex(crypto.getRandomValues(new Uint8Array(32)))
  let identity: EnclaveIdentity
  const standInTdx: Pick<EnclaveClient, 'request'> = {
    request: (async (
      method: string,
      params: Parameters<typeof encodeReportData>[0] & { freshness: Hex },
    ) => {
      assert.equal(method, 'attest')
      const reportData = encodeReportData(
        { ...params, signer: key.address, hpkePublicKey },
        params.freshness,
      )
      return { evidence: bytesToHex(await fixture.quote(reportData, { updated: platformUpdated })) }
    }) as never,
  }

  before(async () => {
    fixture = await createTdxRegistrationFixture(Math.floor(Date.now() / 1000))
    m = await startMarket({
      genesisMeasurements: [measureRuntime(), fixture.measurement],
      tdxVerification: { standInRootCertificate: new Uint8Array(fixture.pki.root.rawData) },
    })
    store = ((await getTdxVerification(m.dev.signers.deployer)) as { store: Hex }).store
    await postTdxCollateral(m.dev.signers.deployer, { store, collateral: fixture.collateral })
    directory = await mkdtemp(join(tmpdir(), 'bocc-attest-'))
    identity = {
      interfaceVersion: 4,
      tee: 'tdx',
      signer: key.address,
      hpkePublicKey,
      measurement: fixture.measurement,
      runners: [],
    }
  })
  after(async () => {
    await m?.dev.stop()
    if (directory) await rm(directory, { recursive: true, force: true })
  })

  it('registers with no committee (none is reachable), and binds the platform to the provider', async () => {
    const { provider } = m.dev.signers
    const { registration } = await registerEnclave({
      chain: provider,
      enclave: standInTdx,
      identity,
      blobs: createFsBlobStore(directory),
      committeeUrls: ['http://127.0.0.1:9/unreachable'],
    })
    assert.equal(registration.hardware, 1)
    assert.equal((await getEnclave(provider, { enclave: key.address }))?.status, 1)
    assert.equal(
      (await getEnclavePlatform(provider, { enclave: key.address }))?.boundProvider,
      provider.account.address,
    )
  })

  it('notices the suspension once, re-attests after the platform update, and serves again', async () => {
    const { provider, stranger } = m.dev.signers
    const keeper = createAttestationKeeper({ retrySeconds: 0 })
    const parameters = {
      chain: provider,
      enclave: standInTdx,
      identity,
      blobs: createFsBlobStore(directory),
    }
    assert.equal(await keeper.keep(parameters), undefined)

    await m.dev.increaseTime(120)
    await postTdxCollateral(stranger, { store, collateral: await fixture.outOfDateCollateral(1) })
    const suspended = await keeper.keep(parameters)
    assert.equal(suspended?.state, 'suspended')
    assert.match(suspended?.state === 'suspended' ? suspended.reason : '', /TcbStatusNotAccepted/)
    assert.equal(await keeper.keep(parameters), undefined, 'said once')
    assert.equal(await isEnclaveUsable(provider, { enclave: key.address }), false)

    platformUpdated = true
    const reattested = await keeper.keep(parameters)
    assert.equal(reattested?.state, 'reattested')
    assert.equal(await isEnclaveUsable(provider, { enclave: key.address }), true)
    const record = await getEnclave(provider, { enclave: key.address })
    assert.equal(
      record?.evidenceHash,
      reattested?.state === 'reattested' ? reattested.registration.evidenceHash : undefined,
    )
    assert.equal(await keeper.keep(parameters), undefined)
  })
})
