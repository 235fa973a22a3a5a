import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { collateralSet, vector, vectorsMissing } from '../../test/attestationVectors.ts'
import {
  type AttestationPolicy,
  applyPolicy,
  PolicyFormatError,
  parsePolicy,
  productionPolicy,
} from './policy.ts'
import type { EvidenceVerdict } from './types.ts'
import { verifyEvidence } from './verifyEvidence.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const at = new Date('2025-06-20T00:00:00Z')
  const sgxVerdict = await verifyEvidence(vector('phala-dcap-qvl/sgx_quote'), {
    at,
    collateral: collateralSet('P-SGX'),
  })
  const tdxVerdict = await verifyEvidence(vector('google-go-tdx-guest/quote_v5_sample.dat'), {
    at: new Date('2026-02-01T00:00:00Z'),
    collateral: collateralSet('T-90c06f'),
  })
  const snpVerdict = await verifyEvidence(vector('tinfoil-js/sev_snp_report_genoa.bin'), {
    at: new Date('2026-02-01T00:00:00Z'),
    certs: [vector('tinfoil-js/vcek_genoa.der')],
  })

  function failedChecks(verdict: EvidenceVerdict): string[] {
    return verdict.checks.filter((check) => check.status === 'failed').map((check) => check.name)
  }

  describe('applyPolicy', () => {
    it('the production policy accepts an UpToDate TDX quote whose MRTD is allowed, and lists each check', () => {
      const policy = {
        ...productionPolicy,
        allowedMeasurements: [tdxVerdict.measurement.mrtd as `0x${string}`],
      }
      const verdict = applyPolicy({ verdict: tdxVerdict, policy, at })
      assert.equal(verdict.ok, true, verdict.error)
      assert.deepEqual(
        verdict.checks
          .filter((check) => check.name.startsWith('policy:'))
          .map((check) => check.name),
        ['policy: tee kind', 'policy: debug', 'policy: measurement allowed', 'policy: tcb status'],
      )
    })

    it('matches only the primary measurement: an allowed value in RTMR3 or MRCONFIGID is not enough', () => {
      const policy = {
        ...productionPolicy,
        allowedMeasurements: [tdxVerdict.measurement.rtmr3 as `0x${string}`],
      }
      assert.deepEqual(failedChecks(applyPolicy({ verdict: tdxVerdict, policy, at })), [
        'policy: measurement allowed',
      ])
    })

    it('accepts a full set of TDX measurements and refuses a set with one wrong register', () => {
      const set = {
        mrtd: tdxVerdict.measurement.mrtd,
        rtmr0: tdxVerdict.measurement.rtmr0,
        rtmr1: tdxVerdict.measurement.rtmr1,
      } as Record<string, `0x${string}`>
      const accepted = applyPolicy({
        verdict: tdxVerdict,
        policy: { ...productionPolicy, allowedMeasurementSets: [set] },
        at,
      })
      assert.equal(accepted.ok, true)
      const wrong = { ...set, rtmr1: `0x${'00'.repeat(48)}` as const }
      assert.equal(
        applyPolicy({
          verdict: tdxVerdict,
          policy: { ...productionPolicy, allowedMeasurementSets: [wrong] },
          at,
        }).ok,
        false,
      )
    })

    it('refuses a TCB status outside the accepted ones, and advisories not tolerated', () => {
      const mrenclave = sgxVerdict.measurement.mrenclave as `0x${string}`
      const strict = applyPolicy({
        verdict: sgxVerdict,
        policy: { ...productionPolicy, allowedMeasurements: [mrenclave] },
        at,
      })
      assert.deepEqual(failedChecks(strict), ['policy: tcb status'])
      const lenient: AttestationPolicy = {
        ...productionPolicy,
        allowedMeasurements: [mrenclave],
        allowedTcbStatuses: ['UpToDate', 'ConfigurationAndSWHardeningNeeded'],
      }
      assert.equal(applyPolicy({ verdict: sgxVerdict, policy: lenient, at }).ok, true)
      const advisories = applyPolicy({
        verdict: sgxVerdict,
        policy: { ...lenient, allowedAdvisoryIds: ['INTEL-SA-00289'] },
        at,
      })
      assert.deepEqual(failedChecks(advisories), ['policy: advisories'])
      assert.match(advisories.error ?? '', /INTEL-SA-00615/)
    })

    it('applies the minimum TCB evaluation data number and the SEV-SNP minimum TCB', () => {
      const mrtd = tdxVerdict.measurement.mrtd as `0x${string}`
      assert.equal(
        applyPolicy({
          verdict: tdxVerdict,
          policy: {
            ...productionPolicy,
            allowedMeasurements: [mrtd],
            minimumTcbEvaluationDataNumber: 18,
          },
          at,
        }).ok,
        true,
      )
      assert.equal(
        applyPolicy({
          verdict: tdxVerdict,
          policy: {
            ...productionPolicy,
            allowedMeasurements: [mrtd],
            minimumTcbEvaluationDataNumber: 19,
          },
          at,
        }).ok,
        false,
      )
      const measurement = snpVerdict.measurement.measurement as `0x${string}`
      const snpPolicy = { ...productionPolicy, allowedMeasurements: [measurement] }
      assert.equal(
        applyPolicy({
          verdict: snpVerdict,
          policy: { ...snpPolicy, minimumSnpTcb: { snp: 23, microcode: 84 } },
          at,
        }).ok,
        true,
      )
      const low = applyPolicy({
        verdict: snpVerdict,
        policy: { ...snpPolicy, minimumSnpTcb: { snp: 24 } },
        at,
      })
      assert.deepEqual(failedChecks(low), ['policy: minimum tcb'])
    })

    it('checks the report_data binding, expected or pinned, and refuses evidence of unknown age', () => {
      const mrtd = tdxVerdict.measurement.mrtd as `0x${string}`
      const policy = { ...productionPolicy, allowedMeasurements: [mrtd] }
      assert.equal(
        applyPolicy({ verdict: tdxVerdict, policy, at, expectedReportData: tdxVerdict.reportData })
          .ok,
        true,
      )
      assert.equal(
        applyPolicy({ verdict: tdxVerdict, policy, at, expectedReportData: `0x${'00'.repeat(64)}` })
          .ok,
        false,
      )
      assert.equal(
        applyPolicy({
          verdict: tdxVerdict,
          policy: { ...policy, reportData: `0x${'00'.repeat(64)}` },
          at,
        }).ok,
        false,
      )
      assert.equal(
        applyPolicy({ verdict: tdxVerdict, policy: { ...policy, maxEvidenceAgeSeconds: 60 }, at })
          .ok,
        false,
      )
      assert.equal(
        applyPolicy({
          verdict: tdxVerdict,
          policy: { ...policy, maxEvidenceAgeSeconds: 60 },
          at,
          evidenceTime: new Date(at.getTime() - 30_000),
        }).ok,
        true,
      )
    })

    it('refuses a non-zero MRSERVICETD only when the policy asks for it', () => {
      const verdict = {
        ...tdxVerdict,
        measurement: { ...tdxVerdict.measurement, mrservicetd: `0x${'01'.repeat(48)}` as const },
      }
      const policy = {
        ...productionPolicy,
        allowedMeasurements: [tdxVerdict.measurement.mrtd as `0x${string}`],
      }
      assert.equal(applyPolicy({ verdict, policy, at }).ok, true)
      assert.deepEqual(
        failedChecks(applyPolicy({ verdict, policy: { ...policy, requireNoServiceTd: true }, at })),
        ['policy: service td'],
      )
    })

    it('never turns unauthentic evidence into accepted evidence', () => {
      const unauthentic = { ...tdxVerdict, ok: false, error: 'quote signature' }
      const policy = {
        ...productionPolicy,
        allowedMeasurements: [tdxVerdict.measurement.mrtd as `0x${string}`],
      }
      assert.equal(applyPolicy({ verdict: unauthentic, policy, at }).ok, false)
    })

    it('constrains TD attributes beyond DEBUG: SEPT_VE_DISABLE required, PERFMON refused', () => {
      // quote_v5_sample has TDATTRIBUTES 0x0000001000000000: SEPT_VE_DISABLE (bit 28) set.
      const sept = { mask: '0x0000001000000080', value: '0x0000001000000000' } as const
      const policy = { ...productionPolicy, anyMeasurement: true, tdAttributes: sept }
      const accepted = applyPolicy({ verdict: tdxVerdict, policy, at })
      assert.equal(accepted.ok, true, accepted.error)
      assert.match(
        accepted.checks.find((check) => check.name === 'policy: td attributes')?.explanation ?? '',
        /SEPT_VE_DISABLE/,
      )
      const withoutSept = { mask: '0x0000001000000000', value: '0x0000000000000000' } as const
      assert.deepEqual(
        failedChecks(
          applyPolicy({
            verdict: tdxVerdict,
            policy: { ...policy, tdAttributes: withoutSept },
            at,
          }),
        ),
        ['policy: td attributes'],
      )
    })

    it('reports the SEV-SNP VMPL and accepts only the VMPLs a policy names', () => {
      assert.equal(snpVerdict.vmpl, 0)
      const policy = { ...productionPolicy, anyMeasurement: true }
      assert.equal(
        applyPolicy({ verdict: snpVerdict, policy: { ...policy, allowedSnpVmpls: [0] }, at }).ok,
        true,
      )
      assert.deepEqual(
        failedChecks(
          applyPolicy({ verdict: snpVerdict, policy: { ...policy, allowedSnpVmpls: [1, 2] }, at }),
        ),
        ['policy: vmpl'],
      )
    })

    it('treats measurement sets named like Object members as no match, never a crash', () => {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const set = JSON.parse(`{"${name}": "0x00"}`) as Record<string, `0x${string}`>
        const verdict = applyPolicy({
          verdict: tdxVerdict,
          policy: { ...productionPolicy, allowedMeasurementSets: [set] },
          at,
        })
        assert.deepEqual(failedChecks(verdict), ['policy: measurement allowed'], name)
        assert.throws(
          () => parsePolicy({ allowedMeasurementSets: [set] }),
          /is not a measurement field/,
          name,
        )
      }
    })

    it('checks the expected report_data even without a policy', async () => {
      const options = {
        at: new Date('2026-02-01T00:00:00Z'),
        certs: [vector('tinfoil-js/vcek_genoa.der')],
      }
      const report = vector('tinfoil-js/sev_snp_report_genoa.bin')
      const wrong = await verifyEvidence(report, {
        ...options,
        expectedReportData: `0x${'00'.repeat(64)}`,
      })
      assert.equal(wrong.ok, false)
      assert.deepEqual(failedChecks(wrong), ['report_data binding'])
      const right = await verifyEvidence(report, {
        ...options,
        expectedReportData: snpVerdict.reportData,
      })
      assert.equal(right.ok, true)
    })
  })

  describe('parsePolicy', () => {
    it('reads every field of a policy file', () => {
      const policy = parsePolicy({
        allowSim: false,
        allowDebug: false,
        allowedMeasurements: ['0xAB'],
        allowedMeasurementSets: [{ MRTD: '0x01', rtmr0: '0x02' }],
        allowedTees: ['tdx'],
        allowedTcbStatuses: ['UpToDate', 'SWHardeningNeeded'],
        allowedAdvisoryIds: ['INTEL-SA-00615'],
        minimumTcbEvaluationDataNumber: 17,
        minimumSnpTcb: { snp: 8 },
        requireNoServiceTd: true,
        maxEvidenceAgeSeconds: 600,
        reportData: `0x${'00'.repeat(64)}`,
        tdAttributes: { mask: '0x0000001000000001', value: '0x0000001000000000' },
        allowedSnpVmpls: [0],
      })
      assert.deepEqual(policy.allowedMeasurements, ['0xab'])
      assert.deepEqual(policy.allowedSnpVmpls, [0])
      assert.equal(policy.tdAttributes?.mask, '0x0000001000000001')
      assert.deepEqual(policy.allowedMeasurementSets, [{ mrtd: '0x01', rtmr0: '0x02' }])
      assert.equal(policy.minimumSnpTcb?.snp, 8)
    })

    it('reads stand-in NVIDIA roots, and refuses anything but PEM certificates there', () => {
      const pem = '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n'
      assert.deepEqual(parsePolicy({ nvidiaRoots: { device: pem } }).nvidiaRoots, { device: pem })
      assert.throws(
        () => parsePolicy({ nvidiaRoots: { rim: 'x' } }),
        /nvidiaRoots.rim is not a PEM/,
      )
      assert.throws(
        () => parsePolicy({ nvidiaRoots: { ark: pem } }),
        /nvidiaRoots has unknown fields: ark/,
      )
      assert.throws(() => parsePolicy({ nvidiaRoots: [] }), /not an object/)
      assert.equal(productionPolicy.nvidiaRoots, undefined)
    })

    it('refuses unknown fields and wrong types with one clear line', () => {
      assert.throws(() => parsePolicy({ allowSim: 'yes' }), PolicyFormatError)
      assert.throws(() => parsePolicy({ allowedTcbStatuses: ['Fine'] }), /not an Intel TCB status/)
      assert.throws(
        () => parsePolicy({ allowedMeasurement: [] }),
        /unknown fields: allowedMeasurement/,
      )
      assert.throws(() => parsePolicy([]), /not a JSON object/)
      assert.throws(() => parsePolicy({ allowedSnpVmpls: [4] }), /not a VMPL/)
      assert.throws(
        () => parsePolicy({ tdAttributes: { mask: '0x01' } }),
        /not 0x-prefixed hex|8 bytes/,
      )
    })
  })
})
