import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Check } from '../attestation/checks.ts'
import { checksJson, formatChecks } from './formatChecks.ts'

const checks: Check[] = [
  {
    name: 'report_data binding',
    status: 'passed',
    explanation: 'binds the keys',
    tier: 'key and channel binding',
  },
  {
    name: 'quote signature',
    status: 'passed',
    explanation: 'signed',
    tier: 'hardware authenticity',
  },
  { name: 'tcb level', status: 'failed', explanation: 'Revoked', tier: 'hardware authenticity' },
  {
    name: 'tdx module',
    status: 'not-run',
    explanation: 'not run: an earlier check failed',
    tier: 'hardware authenticity',
  },
  { name: 'cpu-gpu binding', status: 'not-applicable', explanation: 'no GPU', tier: 'gpu' },
]

describe('formatChecks', () => {
  it('groups checks by tier in the tiers’ order and ends with the score it computes', () => {
    assert.equal(
      formatChecks(checks),
      [
        'hardware authenticity',
        '  ✔ quote signature: signed',
        '  ✘ tcb level: Revoked',
        '  · tdx module: not run: an earlier check failed',
        'key and channel binding',
        '  ✔ report_data binding: binds the keys',
        'gpu',
        '  – cpu-gpu binding: no GPU',
        'score: 2/4 applicable checks passed (1 failed, 1 not run); 1 not applicable',
      ].join('\n'),
    )
  })

  it('says all passed plainly, and gives the same as data', () => {
    const passed = checks.slice(0, 2)
    assert.match(formatChecks(passed), /\nscore: 2\/2 applicable checks passed$/)
    assert.deepEqual(checksJson(passed).score, {
      passed: 2,
      failed: 0,
      notRun: 0,
      notApplicable: 0,
      applicable: 2,
    })
  })
})
