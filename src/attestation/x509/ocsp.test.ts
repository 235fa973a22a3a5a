import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { evidenceVector, vectorsMissing } from '../../../test/attestationVectors.ts'
import { createFakeNvidiaGpu, type FakeNvidiaGpu } from '../../../test/fakeNvidiaGpu.ts'
import { verifyNvidiaGpuEvidence } from '../nvidia/verifyNvidiaGpuEvidence.ts'
import { parseCertificate } from './certificates.ts'
import { looksLikeOcspResponse } from './ocsp.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  describe('GPU certificate revocation from OCSP responses given as collateral (stand-in device hierarchy)', () => {
    const at = new Date('2026-06-01T00:00:00Z')
    const window = {
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    }
    const current = {
      thisUpdate: new Date('2026-05-31T00:00:00Z'),
      nextUpdate: new Date('2026-06-07T00:00:00Z'),
    }
    let gpu: FakeNvidiaGpu
    before(async () => {
      gpu = await createFakeNvidiaGpu(
        evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt'),
        window,
      )
    })
    const verify = (ocspResponses: Uint8Array[]) =>
      verifyNvidiaGpuEvidence({
        evidence: gpu.evidence,
        certificates: [gpu.chainPem],
        at,
        rootCa: parseCertificate(new Uint8Array(gpu.root.rawData)),
        ocspResponses,
      })
    const revocation = async (ocspResponses: Uint8Array[]) =>
      (await verify(ocspResponses)).checks.find((check) => check.name === 'certificate revocation')

    it('passes with a good, current response for every certificate below the root', async () => {
      const responses = [
        await gpu.ocspResponse({ by: 'ica', certificate: gpu.leaf, status: 'good', ...current }),
        await gpu.ocspResponse({ by: 'root', certificate: gpu.ica, status: 'good', ...current }),
      ]
      assert.ok(responses.every(looksLikeOcspResponse))
      const verdict = await verify(responses)
      assert.equal(verdict.ok, true, verdict.error)
      assert.match(
        (await revocation(responses))?.explanation ?? '',
        /2 certificates below the root are good/,
      )
    })

    it('says revocation was not checked without responses', async () => {
      assert.equal((await revocation([]))?.status, 'not-applicable')
    })

    it('fails on a revoked or unknown certificate, a missing, stale or misdirected response', async () => {
      const goodIca = await gpu.ocspResponse({
        by: 'root',
        certificate: gpu.ica,
        status: 'good',
        ...current,
      })
      const leafWith = (
        status: 'good' | 'revoked' | 'unknown',
        when = current,
        by: 'root' | 'ica' = 'ica',
      ) => gpu.ocspResponse({ by, certificate: gpu.leaf, status, ...when })
      assert.match(
        (await verify([await leafWith('revoked'), goodIca])).error ?? '',
        /is revoked according to its OCSP response/,
      )
      assert.match(
        (await verify([await leafWith('unknown'), goodIca])).error ?? '',
        /is unknown according/,
      )
      assert.match(
        (await verify([goodIca])).error ?? '',
        /No current OCSP response signed for .* covers Stand-in GH100 GSP FMC LF/,
      )
      const stale = {
        thisUpdate: new Date('2026-05-01T00:00:00Z'),
        nextUpdate: new Date('2026-05-08T00:00:00Z'),
      }
      assert.match(
        (await verify([await leafWith('good', stale), goodIca])).error ?? '',
        /No current OCSP response/,
      )
      // Signed by the root, which did not issue the leaf and authorised no responder for it.
      assert.match(
        (await verify([await leafWith('good', current, 'root'), goodIca])).error ?? '',
        /No current OCSP response/,
      )
      assert.match(
        (await verify([new Uint8Array([0x30, 3, 0x0a, 1, 1])])).error ?? '',
        /OCSP response has status 1|cannot be read/,
      )
    })
  })
})
