import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keccak256, sha256, toHex } from 'viem'
import {
  collateralSet,
  evidenceVector,
  vector,
  vectorsMissing,
} from '../../test/attestationVectors.ts'
import { signSimEvidence } from '../enclave/tee/signSimEvidence.ts'
import { decodeReportData, encodeReportData, gpuNonceOf } from './reportData.ts'
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
        .filter((check) => check.status === 'failed')
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

    /**
     * No real composite exists (a CPU quote whose report_data names a real GPU report), so this
     * one is built from real parts: the real H100 SPDM evidence of MANIFEST.md, and sim CPU
     * evidence whose report_data names that evidence's hash. The H100 signed NVIDIA's own test
     * nonce, not the nonce derived from these keys, so the nonce check fails, and says so.
     */
    describe('CPU–GPU binding on composite evidence built from real parts', () => {
      const gpuEvidence = evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt')
      const gpuChain = vector('nvidia-nvtrust/hopperCertChain.txt')
      const gpuAt = new Date('2026-01-01T00:00:00Z')
      const measurement = keccak256(toHex('runtime'))
      const policy = { allowSim: true, allowedMeasurements: [measurement] }
      const cpuEvidenceNaming = (gpuEvidenceHash: `0x${string}`) =>
        signSimEvidence({
          measurement,
          reportData: encodeReportData({ ...binding, gpuEvidenceHash }, freshness),
          debug: false,
          issuedAt: gpuAt,
        })

      it('binds the CPU to exactly this GPU evidence, verifies the GPU, and checks its nonce', async () => {
        const result = await verifyEnclaveEvidence({
          evidence: await cpuEvidenceNaming(sha256(gpuEvidence)),
          binding,
          policy,
          at: gpuAt,
          gpu: { evidence: gpuEvidence, certs: [gpuChain] },
        })
        const status = (name: string) =>
          result.verdict.checks.find((check) => check.name === name)?.status
        assert.equal(status('policy: report_data binding'), 'passed')
        assert.equal(status('cpu-gpu binding'), 'passed')
        assert.equal(status('gpu: spdm signature'), 'passed')
        assert.equal(status('gpu: certificate chain'), 'passed')
        // The real report answered NVIDIA's test challenge, not this enclave's derived nonce.
        assert.equal(status('gpu: nonce'), 'failed')
        const expectedNonce = gpuNonceOf({ ...binding, freshness })
        assert.match(
          result.verdict.checks.find((check) => check.name === 'gpu: nonce')?.explanation ?? '',
          new RegExp(
            `the GPU nonce 0x931d8dd0add203ac… differs from the expected ${expectedNonce.slice(0, 18)}…`,
          ),
        )
        assert.equal(result.verdict.ok, false)
        assert.equal(result.gpuVerdict?.tee, 'nvidia-cc')
      })

      it('refuses CPU evidence that names other GPU evidence, and GPU evidence missing', async () => {
        const other = await verifyEnclaveEvidence({
          evidence: await cpuEvidenceNaming(keccak256(toHex('another GPU'))),
          binding,
          policy,
          at: gpuAt,
          gpu: { evidence: gpuEvidence, certs: [gpuChain] },
        })
        const failed = other.verdict.checks
          .filter((check) => check.status === 'failed')
          .map((check) => check.name)
        assert.ok(failed.includes('policy: report_data binding'), failed.join(', '))
        const missing = await verifyEnclaveEvidence({
          evidence: await cpuEvidenceNaming(sha256(gpuEvidence)),
          binding: { ...binding, gpuEvidenceHash: sha256(gpuEvidence) },
          policy,
          at: gpuAt,
        })
        assert.match(missing.verdict.error ?? '', /names GPU evidence 0x.*but none was given/)
        const unbound = await verifyEnclaveEvidence({
          evidence: await cpuEvidenceNaming(`0x${'00'.repeat(32)}`),
          binding,
          policy,
          at: gpuAt,
        })
        assert.equal(unbound.verdict.ok, true, unbound.verdict.error)
        assert.equal(
          unbound.verdict.checks.find((check) => check.name === 'cpu-gpu binding')?.status,
          'not-applicable',
        )
      })

      it('refuses GPU evidence that is not an NVIDIA GPU’s', async () => {
        const sim = await cpuEvidenceNaming(`0x${'00'.repeat(32)}`)
        const result = await verifyEnclaveEvidence({
          evidence: await cpuEvidenceNaming(sha256(sim)),
          binding,
          policy,
          at: gpuAt,
          gpu: { evidence: sim },
        })
        assert.match(result.verdict.error ?? '', /not an NVIDIA GPU's/)
      })
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
