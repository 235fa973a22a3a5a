import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { privateKeyToAccount } from 'viem/accounts'
import { verifySimEvidence } from '../../attestation/sim/simEvidence.ts'
import { simEvidenceLength, simRootAddress } from '../../attestation/sim/simEvidenceFormat.ts'
import { signSimEvidence, simRootPrivateKey } from './signSimEvidence.ts'

describe('signSimEvidence (the sim backend, producer side)', () => {
  it('signs as the root address verifiers pin', () => {
    assert.equal(privateKeyToAccount(simRootPrivateKey).address, simRootAddress)
  })

  it('makes evidence the verifier accepts', async () => {
    const evidence = await signSimEvidence({
      measurement: `0x${'ab'.repeat(32)}`,
      reportData: `0x${'cd'.repeat(64)}`,
      debug: false,
      issuedAt: new Date('2026-11-22T10:00:00Z'),
    })
    assert.equal(evidence.length, simEvidenceLength)
    assert.equal((await verifySimEvidence(evidence)).ok, true)
  })

  it('refuses a time the format cannot carry', async () => {
    await assert.rejects(
      signSimEvidence({
        measurement: `0x${'ab'.repeat(32)}`,
        reportData: `0x${'cd'.repeat(64)}`,
        debug: false,
        issuedAt: new Date(-1000),
      }),
      /issuedAt/,
    )
  })
})
