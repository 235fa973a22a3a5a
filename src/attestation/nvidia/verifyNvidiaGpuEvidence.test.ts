import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evidenceVector, vector, vectorsMissing } from '../../../test/attestationVectors.ts'
import { createFakeNvidiaGpu } from '../../../test/fakeNvidiaGpu.ts'
import { productionPolicy } from '../policy.ts'
import { verifyEvidence } from '../verifyEvidence.ts'
import { parseSpdmMeasurements } from './spdmMeasurements.ts'
import { verifyNvidiaGpuEvidence } from './verifyNvidiaGpuEvidence.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const evidence = evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt')
  const chain = vector('nvidia-nvtrust/hopperCertChain.txt')
  const at = new Date('2026-01-01T00:00:00Z')
  const verify = (bytes: Uint8Array, certificates = [chain], when = at) =>
    verifyNvidiaGpuEvidence({ evidence: bytes, certificates, at: when })

  describe('verifyNvidiaGpuEvidence (H100 SPDM measurements of MANIFEST.md)', () => {
    it('verifies the signature and the chain to the pinned NVIDIA Device Identity CA, and reports 64 measurements', async () => {
      const verdict = await verify(evidence)
      assert.equal(verdict.error, undefined)
      assert.equal(verdict.ok, true)
      assert.equal(verdict.tee, 'nvidia-cc')
      assert.equal(Object.keys(verdict.measurement).length, 64)
      assert.match(verdict.measurement.measurement2 ?? '', /^0x8048dfd18fe229bf/)
      assert.equal(
        verdict.reportData,
        '0x931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb',
      )
      assert.match(
        verdict.checks.find((check) => check.name === 'certificate chain')?.explanation ?? '',
        /GH100 A01 GSP FMC LF ← .* ← pinned NVIDIA Device Identity CA/,
      )
    })

    it('refuses a flipped bit anywhere in the signed request and response, and in the signature', async () => {
      const { signedBytes } = parseSpdmMeasurements(evidence)
      for (
        let offset = 0;
        offset < evidence.length;
        offset += offset < signedBytes.length ? 29 : 3
      ) {
        const tampered = Uint8Array.from(evidence)
        tampered[offset] = (tampered[offset] as number) ^ (1 << (offset % 8))
        const verdict = await verifyEvidence(tampered, { at, certs: [chain] }).catch((error) => ({
          ok: false,
          error: String(error),
        }))
        assert.equal(verdict.ok, false, `flip at ${offset} was accepted`)
      }
    })

    it('refuses truncated evidence with a clear message', async () => {
      const verdict = await verify(evidence.subarray(0, 2000))
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /truncated/)
    })

    it('refuses evidence without its certificates, or with a chain missing a link', async () => {
      assert.match(
        (await verify(evidence, [])).error ?? '',
        /does not verify with any of the 0 given certificates/,
      )
      const pems =
        new TextDecoder()
          .decode(chain)
          .match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []
      assert.equal(pems.length, 5)
      const withoutIca = new TextEncoder().encode([pems[0], pems[1], pems[3], pems[4]].join('\n'))
      assert.match(
        (await verify(evidence, [withoutIca])).error ?? '',
        /GSP BROM does not chain to the pinned NVIDIA Device Identity CA/,
      )
    })

    it('refuses a time before the chain is valid', async () => {
      const verdict = await verify(evidence, [chain], new Date('2022-02-28T23:59:59Z'))
      assert.match(verdict.error ?? '', /NVIDIA GH100 Provisioner ICA 1 is not valid at/)
    })

    it('policy: GPU measurements are allowed as a named set, and the production policy admits no GPU by default', async () => {
      const verdict = await verify(evidence)
      const set = {
        measurement2: verdict.measurement.measurement2,
        measurement3: verdict.measurement.measurement3,
      } as Record<string, `0x${string}`>
      const gpuPolicy = {
        ...productionPolicy,
        allowedTees: ['nvidia-cc' as const],
        allowedMeasurementSets: [set],
      }
      assert.equal(
        (
          await verifyEvidence(evidence, {
            at,
            certs: [chain],
            policy: gpuPolicy,
            expectedReportData: verdict.reportData,
          })
        ).ok,
        true,
      )
      const production = await verifyEvidence(evidence, {
        at,
        certs: [chain],
        policy: { ...productionPolicy, allowedMeasurementSets: [set] },
      })
      assert.match(production.error ?? '', /policy: tee kind/)
    })
  })
})

describe('a policy’s stand-in NVIDIA roots', { skip: vectorsMissing }, () => {
  it('are trusted only where the policy names them, and named as given, not pinned', async () => {
    const window = { notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01') }
    const gpu = await createFakeNvidiaGpu(
      evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt'),
      window,
    )
    const at = new Date('2026-06-01T00:00:00Z')
    const policy = {
      allowSim: false,
      allowedMeasurements: [],
      anyMeasurement: true,
      allowedTees: ['nvidia-cc' as const],
      nvidiaRoots: { device: gpu.root.toString('pem') },
    }
    const trusted = await verifyEvidence(gpu.evidence, { at, certs: [gpu.chainPem], policy })
    assert.equal(trusted.ok, true, trusted.error)
    assert.match(
      trusted.checks.find((check) => check.name === 'certificate chain')?.explanation ?? '',
      /← given Stand-in NVIDIA Device Identity CA/,
    )
    const { nvidiaRoots: _, ...withoutRoots } = policy
    const pinned = await verifyEvidence(gpu.evidence, {
      at,
      certs: [gpu.chainPem],
      policy: withoutRoots,
    })
    assert.equal(pinned.ok, false)
    assert.match(pinned.error ?? '', /does not chain to the pinned NVIDIA Device Identity CA/)
  })
})
