import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keccak256, toHex } from 'viem'
import { collateralSet, vector } from '../../test/attestationVectors.ts'
import { decodeReportData, encodeReportData } from '../protocol/reportData.ts'
import { runtimeMeasurementOf } from '../protocol/runtimeMeasurement.ts'
import { signSimEvidence } from './sim/simEvidence.ts'
import { verifyEnclaveEvidence } from './verifyEnclaveEvidence.ts'

const keys = {
  signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  hpkePublicKey: keccak256(toHex('hpke')),
} as const
const freshness = keccak256(toHex('block'))

describe('enclave evidence', () => {
  it('accepts sim evidence that binds the keys, under a policy that allows sim and its measurement', async () => {
    const measurement = keccak256(toHex('runtime'))
    const evidence = await signSimEvidence({
      measurement,
      reportData: encodeReportData(keys, freshness),
      debug: false,
      issuedAt: new Date(),
    })
    const policy = { allowSim: true, allowedMeasurements: [measurement] }
    const result = await verifyEnclaveEvidence({ evidence, keys, policy, at: new Date() })
    assert.equal(result.verdict.ok, true, JSON.stringify(result.verdict.checks))
    assert.equal(result.freshness, freshness)
    assert.equal(runtimeMeasurementOf(result.verdict), measurement)
    const otherKeys = await verifyEnclaveEvidence({
      evidence,
      keys: { ...keys, hpkePublicKey: keccak256(toHex('x')) },
      policy,
      at: new Date(),
    })
    assert.equal(otherKeys.verdict.ok, false)
    assert.match(otherKeys.verdict.error ?? '', /report_data/)
  })

  it('verifies real TDX evidence through the same path: authentic, but not bound to these keys', async () => {
    const quote = vector('phala-dcap-qvl/tdx_quote')
    const policy = async () => ({
      allowSim: false,
      allowedMeasurements: [],
      allowedTcbStatuses: ['UpToDate' as const],
    })
    const result = await verifyEnclaveEvidence({
      evidence: quote,
      keys,
      policy,
      at: new Date('2025-06-20T00:00:00Z'),
      collateral: collateralSet('P-TDX'),
    })
    assert.equal(result.verdict.tee, 'tdx')
    const failed = result.verdict.checks.filter((check) => !check.ok).map((check) => check.name)
    assert.ok(failed.includes('policy: report_data binding'), failed.join(', '))
    assert.ok(failed.includes('policy: measurement allowed'))
    assert.ok(!failed.some((check) => !check.startsWith('policy:')), failed.join(', '))
    assert.equal(result.freshness, decodeReportData(result.verdict.reportData).freshness)
    // Hardware measurements are longer than 32 bytes: the chain holds their digest.
    const measurement = runtimeMeasurementOf(result.verdict)
    assert.match(measurement ?? '', /^0x[0-9a-f]{64}$/)
    assert.notEqual(measurement, result.verdict.measurement.mrtd)
  })

  it('fails garbage with a check, never a throw', async () => {
    const result = await verifyEnclaveEvidence({
      evidence: new TextEncoder().encode('not evidence at all'),
      keys,
      policy: { allowSim: true, allowedMeasurements: [] },
      at: new Date(),
    })
    assert.equal(result.verdict.ok, false)
    assert.ok(result.verdict.error)
  })
})
