import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keccak256, toHex } from 'viem'
import { collateralSet, vector, vectorsMissing } from '../../test/attestationVectors.ts'
import { signSimEvidence } from '../enclave/tee/signSimEvidence.ts'
import { decodeReportData, encodeReportData } from './reportData.ts'
import { runtimeMeasurementOf } from './runtimeMeasurement.ts'
import { verifyEnclaveEvidence } from './verifyEnclaveEvidence.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const binding = {
    chainId: 31337,
    registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    provider: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    hpkePublicKey: keccak256(toHex('hpke')),
  } as const
  const freshness = keccak256(toHex('block'))

  describe('enclave evidence', () => {
    it('accepts sim evidence that binds the keys, under a policy that allows sim and its measurement', async () => {
      const measurement = keccak256(toHex('runtime'))
      const evidence = await signSimEvidence({
        measurement,
        reportData: encodeReportData(binding, freshness),
        debug: false,
        issuedAt: new Date(),
      })
      const policy = { allowSim: true, allowedMeasurements: [measurement] }
      const result = await verifyEnclaveEvidence({ evidence, binding, policy, at: new Date() })
      assert.equal(result.verdict.ok, true, JSON.stringify(result.verdict.checks))
      assert.equal(result.freshness, freshness)
      assert.equal(runtimeMeasurementOf(result.verdict), measurement)
      // Other keys, or the same enclave claimed by another provider, on another chain or registry.
      for (const other of [
        { hpkePublicKey: keccak256(toHex('x')) },
        { provider: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' },
        { chainId: 1 },
        { registry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' },
      ] as const) {
        const result = await verifyEnclaveEvidence({
          evidence,
          binding: { ...binding, ...other },
          policy,
          at: new Date(),
        })
        assert.equal(result.verdict.ok, false, JSON.stringify(other))
        assert.match(result.verdict.error ?? '', /report_data/)
      }
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
        binding,
        policy,
        at: new Date('2025-06-20T00:00:00Z'),
        collateral: collateralSet('P-TDX'),
      })
      assert.equal(result.verdict.tee, 'tdx')
      const failed = result.verdict.checks
        .filter((check) => check.status !== 'passed')
        .map((check) => check.name)
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
        binding,
        policy: { allowSim: true, allowedMeasurements: [] },
        at: new Date(),
      })
      assert.equal(result.verdict.ok, false)
      assert.ok(result.verdict.error)
    })
  })
})
