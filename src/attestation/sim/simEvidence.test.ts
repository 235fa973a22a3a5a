import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { signSimEvidence } from '../../enclave/tee/signSimEvidence.ts'
import { applyPolicy, productionPolicy } from '../policy.ts'
import { parseSimEvidence, simEvidenceLength, verifySimEvidence } from './simEvidence.ts'

const measurement = `0x${'ab'.repeat(32)}` as const
const reportData = `0x${'cd'.repeat(64)}` as const
const issuedAt = new Date('2026-11-22T10:00:00Z')

describe('sim evidence', () => {
  it('signs, parses and verifies', async () => {
    const evidence = await signSimEvidence({ measurement, reportData, debug: false, issuedAt })
    assert.equal(evidence.length, simEvidenceLength)
    const verdict = await verifySimEvidence(evidence)
    assert.equal(verdict.ok, true)
    assert.equal(verdict.tee, 'sim')
    assert.equal(verdict.measurement.measurement, measurement)
    assert.equal(verdict.reportData, reportData)
    assert.deepEqual(verdict.issuedAt, issuedAt)
  })

  it('fails on any flipped bit and on truncation, without throwing', async () => {
    const evidence = await signSimEvidence({ measurement, reportData, debug: false, issuedAt })
    for (let bit = 8 * 8; bit < evidence.length * 8; bit += 7) {
      const tampered = evidence.slice()
      tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7))
      const verdict = await verifySimEvidence(tampered)
      assert.equal(verdict.ok, false, `bit ${bit}`)
    }
    const truncated = await verifySimEvidence(evidence.subarray(0, 100))
    assert.equal(truncated.ok, false)
    assert.match(truncated.error ?? '', /truncated/)
    assert.throws(() => parseSimEvidence(new Uint8Array(3)), /bad magic/)
  })

  it('refuses an issuedAt no Date can hold, with a format error instead of a RangeError', async () => {
    const evidence = await signSimEvidence({ measurement, reportData, debug: false, issuedAt })
    new DataView(evidence.buffer).setBigUint64(12, 2n ** 64n - 1n)
    assert.throws(() => parseSimEvidence(evidence), /beyond the last time/)
    const verdict = await verifySimEvidence(evidence)
    assert.equal(verdict.ok, false)
    assert.equal(verdict.issuedAt, undefined)
  })

  it('is refused by the production policy and accepted only by a policy that allows sim', async () => {
    const verdict = await verifySimEvidence(
      await signSimEvidence({ measurement, reportData, debug: false, issuedAt }),
    )
    const at = new Date(issuedAt.getTime() + 5000)
    const refused = applyPolicy({
      verdict,
      policy: { ...productionPolicy, allowedMeasurements: [measurement] },
      at,
    })
    assert.equal(refused.ok, false)
    assert.match(refused.error ?? '', /simulated TEE/)
    const development = {
      allowSim: true,
      allowedMeasurements: [measurement],
      maxEvidenceAgeSeconds: 60,
    }
    assert.equal(
      applyPolicy({ verdict, policy: development, at, expectedReportData: reportData }).ok,
      true,
    )
    const stale = applyPolicy({
      verdict,
      policy: development,
      at: new Date(issuedAt.getTime() + 61_000),
    })
    assert.equal(stale.ok, false)
    const unbound = applyPolicy({
      verdict,
      policy: development,
      at,
      expectedReportData: `0x${'00'.repeat(64)}`,
    })
    assert.equal(unbound.ok, false)
    const unknown = applyPolicy({
      verdict,
      policy: { ...development, allowedMeasurements: [reportData.slice(0, 66) as `0x${string}`] },
      at,
    })
    assert.equal(unknown.ok, false)
  })
})
