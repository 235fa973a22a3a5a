import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { bytesToHex, keccak256, toHex } from 'viem'
import { collateralSet, evidenceVector, vector } from '../../../test/attestationVectors.ts'
import { createFakeConfigfsTsm } from '../../../test/support/fakeConfigfsTsm.ts'
import { encodeReportData } from '../../protocol/reportData.ts'
import { verifyEnclaveEvidence } from '../../protocol/verifyEnclaveEvidence.ts'
import { requestTsmReport } from './configfsTsm.ts'
import { createTeeBackend } from './teeBackend.ts'

const root = '/sys/kernel/config/tsm/report'
const binding = {
  chainId: 31337,
  registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  provider: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  hpkePublicKey: keccak256(toHex('hpke')),
} as const
const reportData = encodeReportData(binding, keccak256(toHex('block')))

/** The backends on the fake configfs-tsm tree, whose outblob is real hardware evidence. */
describe('tdx and sev-snp backends (configfs-tsm)', () => {
  it('tdx: writes report_data to inblob, returns the TSM’s quote, which verifies up to the binding', async () => {
    const quote = vector('phala-dcap-qvl/tdx_quote')
    const tsm = createFakeConfigfsTsm({ root, provider: 'tdx_guest', outblob: quote })
    const backend = await createTeeBackend('tdx', { tsmRoot: root, fs: tsm.fs })
    assert.equal(backend.kind, 'tdx')
    const evidence = await backend.getEvidence(reportData)
    assert.deepEqual(evidence, quote)
    assert.equal(bytesToHex(tsm.written.at(-1) as Uint8Array), reportData)
    assert.equal(tsm.entryCount(), 0, 'every report entry is removed')
    const result = await verifyEnclaveEvidence({
      evidence,
      binding,
      policy: { allowSim: false, allowedMeasurements: [], allowedMeasurementSets: [] },
      at: new Date('2025-06-20T00:00:00Z'),
      collateral: collateralSet('P-TDX'),
    })
    const failed = result.verdict.checks
      .filter((check) => check.status === 'failed')
      .map((check) => check.name)
    assert.ok(failed.includes('policy: report_data binding'), failed.join(', '))
    // Everything but the policy's own checks passed: the quote itself is authentic.
    assert.deepEqual(
      failed.filter((name) => !name.startsWith('policy:')),
      [],
    )
    assert.equal(result.verdict.ok, false)
    // The backend's measurement is the quote's MRTD and RTMRs as the chain holds them.
    assert.match(backend.measurement, /^0x[0-9a-f]{64}$/)
  })

  it('sev-snp: the same through `auto`, which follows the provider the TSM names', async () => {
    const report = evidenceVector('virtee-sev/report_milan.bin')
    const tsm = createFakeConfigfsTsm({ root, provider: 'sev_guest', outblob: report })
    const backend = await createTeeBackend('auto', { tsmRoot: root, fs: tsm.fs })
    assert.equal(backend.kind, 'sev-snp')
    const evidence = await backend.getEvidence(reportData)
    const result = await verifyEnclaveEvidence({
      evidence,
      binding,
      policy: { allowSim: false, allowedMeasurements: [] },
      at: new Date('2025-01-01T00:00:00Z'),
      certs: [vector('virtee-sev/vcek_milan.der'), vector('google-go-sev-guest/ask_ark_milan.pem')],
    })
    assert.equal(result.verdict.tee, 'sev-snp')
    const failed = result.verdict.checks
      .filter((check) => check.status === 'failed')
      .map((check) => check.name)
    assert.ok(failed.includes('policy: report_data binding'), failed.join(', '))
    assert.deepEqual(
      failed.filter((name) => !name.startsWith('policy:')),
      [],
    )
  })

  it('refuses another TEE than configured, a concurrent writer, refused writes and a missing tree', async () => {
    const report = evidenceVector('virtee-sev/report_milan.bin')
    const sev = createFakeConfigfsTsm({ root, provider: 'sev_guest', outblob: report })
    await assert.rejects(
      createTeeBackend('tdx', { tsmRoot: root, fs: sev.fs }),
      /the TSM is sev-snp, not tdx/,
    )
    const busy = createFakeConfigfsTsm({
      root,
      provider: 'sev_guest',
      outblob: report,
      concurrentWrites: 5,
    })
    await assert.rejects(
      requestTsmReport({ reportData, root, fs: busy.fs }),
      /another writer kept changing the configfs-tsm report entry/,
    )
    assert.equal(busy.entryCount(), 0)
    // One interfering write is survived: the read is retried.
    const once = createFakeConfigfsTsm({
      root,
      provider: 'sev_guest',
      outblob: report,
      concurrentWrites: 1,
    })
    assert.deepEqual((await requestTsmReport({ reportData, root, fs: once.fs })).outblob, report)
    const refusing = createFakeConfigfsTsm({
      root,
      provider: 'tdx_guest',
      outblob: report,
      refuseWrites: true,
    })
    await assert.rejects(
      requestTsmReport({ reportData, root, fs: refusing.fs }),
      /the TSM refused the report_data/,
    )
    await assert.rejects(
      requestTsmReport({ reportData: '0x1234', root, fs: refusing.fs }),
      /64 bytes/,
    )
    await assert.rejects(
      createTeeBackend('auto', { tsmRoot: '/nonexistent/tsm/report' }),
      /no configfs-tsm at \/nonexistent\/tsm\/report: this machine is not a TDX or SEV-SNP guest/,
    )
    await assert.rejects(createTeeBackend('sgx'), /unknown TEE backend "sgx"/)
  })
})
