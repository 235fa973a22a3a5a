import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { collateralSet, vector, vectorsMissing } from '../../test/attestationVectors.ts'
import { signSimEvidence } from '../enclave/tee/signSimEvidence.ts'
import { EvidenceFormatError } from './errors.ts'
import { productionPolicy } from './policy.ts'
import { recogniseEvidence, verifyEvidence } from './verifyEvidence.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  describe('verifyEvidence', () => {
    it('recognises each kind of evidence by its content', async () => {
      assert.equal(recogniseEvidence(vector('phala-dcap-qvl/tdx_quote')), 'intel')
      assert.equal(recogniseEvidence(vector('phala-dcap-qvl/sgx_quote')), 'intel')
      assert.equal(recogniseEvidence(vector('virtee-sev/report_milan.bin')), 'sev-snp')
      const sim = await signSimEvidence({
        measurement: `0x${'11'.repeat(32)}`,
        reportData: `0x${'22'.repeat(64)}`,
        debug: false,
        issuedAt: new Date(),
      })
      assert.equal(recogniseEvidence(sim), 'sim')
      assert.equal(recogniseEvidence(new Uint8Array(2000)), undefined)
    })

    it('verifies a hex-text quote with raw collateral files', async () => {
      const verdict = await verifyEvidence(vector('phala-dcap-qvl/tdx-quote.hex'), {
        at: new Date('2025-06-20T00:00:00Z'),
        collateral: collateralSet('P-TDX'),
      })
      assert.equal(verdict.tee, 'tdx')
      assert.match(verdict.error ?? '', /No matching TCB level/)
    })

    it('verifies a hex-text SEV-SNP report with its VCEK', async () => {
      const verdict = await verifyEvidence(vector('virtee-sev/report_milan.hex'), {
        at: new Date('2024-01-01T00:00:00Z'),
        certs: [vector('virtee-sev/vcek_milan.der')],
      })
      assert.equal(verdict.ok, true)
      assert.equal(verdict.tee, 'sev-snp')
      assert.deepEqual(verdict.tcb, { bootloader: 3, tee: 0, snp: 8, microcode: 115 })
    })

    it('verifies sim evidence through the same interface; the production policy refuses it', async () => {
      const measurement = `0x${'11'.repeat(32)}` as const
      const sim = await signSimEvidence({
        measurement,
        reportData: `0x${'22'.repeat(64)}`,
        debug: false,
        issuedAt: new Date(),
      })
      const authentic = await verifyEvidence(sim, { at: new Date() })
      assert.equal(authentic.ok, true)
      assert.equal(authentic.tee, 'sim')
      const refused = await verifyEvidence(sim, {
        at: new Date(),
        policy: { ...productionPolicy, allowedMeasurements: [measurement] },
      })
      assert.equal(refused.ok, false)
      assert.match(refused.error ?? '', /simulated TEE/)
    })

    it('refuses unknown evidence with an EvidenceFormatError', async () => {
      await assert.rejects(
        verifyEvidence(new TextEncoder().encode('hello'), { at: new Date() }),
        EvidenceFormatError,
      )
    })

    it('the production policy refuses the debug SEV-SNP guest of go-sev-guest', async () => {
      const report = vector('google-go-sev-guest/attestation.bin')
      const at = new Date('2024-01-01T00:00:00Z')
      const certs = [vector('google-go-sev-guest/vcek.testcer')]
      const authentic = await verifyEvidence(report, { at, certs })
      assert.equal(authentic.ok, true)
      assert.equal(authentic.debug, true)
      const measurement = authentic.measurement.measurement as `0x${string}`
      const verdict = await verifyEvidence(report, {
        at,
        certs,
        policy: { ...productionPolicy, allowedMeasurements: [measurement] },
      })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /policy: debug/)
    })
  })

  describe('evidence recognition', () => {
    it('tells a v3 SEV-SNP report (version 3, guest SVN 0) from an Intel v3 SGX quote', () => {
      assert.equal(recogniseEvidence(vector('tinfoil-js/sev_snp_report_genoa.bin')), 'sev-snp')
    })
  })

  describe('verifyEvidence with a policy on evidence age', () => {
    it('uses the evidence time the caller knows for hardware evidence', async () => {
      const at = new Date('2026-02-01T00:00:00Z')
      const options = { at, certs: [vector('tinfoil-js/vcek_genoa.der')] }
      const report = vector('tinfoil-js/sev_snp_report_genoa.bin')
      const authentic = await verifyEvidence(report, options)
      const policy = {
        ...productionPolicy,
        allowedMeasurements: [authentic.measurement.measurement as `0x${string}`],
        maxEvidenceAgeSeconds: 300,
      }
      assert.match(
        (await verifyEvidence(report, { ...options, policy })).error ?? '',
        /evidence carries no time/,
      )
      assert.equal(
        (
          await verifyEvidence(report, {
            ...options,
            policy,
            evidenceTime: new Date(at.getTime() - 60_000),
          })
        ).ok,
        true,
      )
      assert.equal(
        (
          await verifyEvidence(report, {
            ...options,
            policy,
            evidenceTime: new Date(at.getTime() - 600_000),
          })
        ).ok,
        false,
      )
    })
  })
})
