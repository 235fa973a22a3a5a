import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { evidenceVector, vector, vectorsMissing } from '../../../test/attestationVectors.ts'
import { createFakeRimPki, type FakeRimPki } from '../../../test/fakeNvidiaRims.ts'
import { toHex } from '../bytes.ts'
import { verifyEvidence } from '../verifyEvidence.ts'
import { readCertificates } from '../x509/certificates.ts'
import { readRim } from './rim.ts'
import { nvidiaRimRootPem } from './roots.ts'
import { parseSpdmMeasurements } from './spdmMeasurements.ts'
import { verifyNvidiaGpuEvidence } from './verifyNvidiaGpuEvidence.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const driverRim = vector('nvidia-nvtrust/Driver_RIM_test_no_gpu.swidtag')
  const vbiosRim = vector('nvidia-nvtrust/1010_0200_882_96005E0001_test_no_gpu.swidtag')
  const evidence = evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt')
  const chain = vector('nvidia-nvtrust/hopperCertChain.txt')
  const [rimRoot] = readCertificates(new TextEncoder().encode(nvidiaRimRootPem))
  if (!rimRoot) throw new Error('the pinned RIM root does not parse')
  // Inside every window: the RIM signers (2023-06 to 2025-06) and the GPU chain.
  const at = new Date('2024-06-01T00:00:00Z')

  describe('readRim on NVIDIA’s signed RIMs', () => {
    it('verifies the real driver and VBIOS RIMs to the pinned RIM root (XMLDSig, C14N 1.1, ECDSA P-384)', async () => {
      const driver = await readRim(driverRim, rimRoot, at)
      assert.equal(driver.kind, 'driver')
      assert.equal(driver.version, '545.00')
      assert.equal(driver.product, 'GH100')
      assert.equal(driver.measurements.size, 21)
      const vbios = await readRim(vbiosRim, rimRoot, at)
      assert.equal(vbios.kind, 'vbios')
      assert.equal(vbios.version, '96.00.5E.00.01')
      assert.match(vbios.signer.subject, /HCC RIM L4 Signer/)
    })

    it('refuses a tampered golden value, a tampered signature, and a signer outside its validity', async () => {
      const text = new TextDecoder().decode(driverRim)
      const golden = text.replace('0e0ee161b59bf124', '0e0ee161b59bf125')
      await assert.rejects(
        readRim(new TextEncoder().encode(golden), rimRoot, at),
        /digest does not match/,
      )
      const signature = text.replace(/<ds:SignatureValue>\//, '<ds:SignatureValue>A')
      await assert.rejects(
        readRim(new TextEncoder().encode(signature), rimRoot, at),
        /signature does not verify|not base64/,
      )
      await assert.rejects(
        readRim(driverRim, rimRoot, new Date('2025-07-01T00:00:00Z')),
        /HCC RIM L4 Signer is not valid at/,
      )
    })

    it('refuses signature wrapping: a second signature, or a signed copy moved aside', async () => {
      const text = new TextDecoder().decode(driverRim)
      const signature = text.slice(
        text.indexOf('<ds:Signature'),
        text.indexOf('</ds:Signature>') + 15,
      )
      const twice = text.replace('</SoftwareIdentity>', `${signature}</SoftwareIdentity>`)
      await assert.rejects(
        readRim(new TextEncoder().encode(twice), rimRoot, at),
        /exactly one signature/,
      )
      const wrapped = text
        .replace(signature, '')
        .replace('<ns0:Payload', `<ns0:Evidence>${signature}</ns0:Evidence><ns0:Payload`)
      await assert.rejects(
        readRim(new TextEncoder().encode(wrapped), rimRoot, at),
        /exactly one signature, enveloped/,
      )
      const doctype = `<!DOCTYPE x [<!ENTITY a "b">]>${text}`
      await assert.rejects(readRim(new TextEncoder().encode(doctype), rimRoot, at), /DOCTYPE/)
    })
  })

  describe('the H100 report against RIMs', () => {
    it('reports the GPU’s architecture, driver and VBIOS, and refuses RIMs for another driver', async () => {
      const verdict = await verifyEvidence(evidence, {
        at,
        certs: [chain],
        collateral: [driverRim, vbiosRim],
      })
      assert.deepEqual(verdict.gpu, {
        chip: 'GH100',
        architecture: 'Hopper',
        driverVersion: '550.90.07',
        vbiosVersion: '96.00.9F.00.01',
        chipSku: '882',
        project: '1010',
        projectSku: '0200',
      })
      assert.equal(verdict.ok, false)
      assert.match(
        verdict.error ?? '',
        /driver RIMs given are for 545.00; the GPU runs driver 550.90.07/,
      )
    })

    it('without RIMs, says the comparison does not apply', async () => {
      const verdict = await verifyEvidence(evidence, { at, certs: [chain] })
      assert.equal(verdict.ok, true, verdict.error)
      assert.equal(
        verdict.checks.find((check) => check.name === 'rim measurements')?.status,
        'not-applicable',
      )
    })

    it('checks the nonce the verifier gave the GPU', async () => {
      const nonce = toHex(parseSpdmMeasurements(evidence).requestNonce)
      const right = await verifyEvidence(evidence, { at, certs: [chain], expectedGpuNonce: nonce })
      assert.equal(right.checks.find((check) => check.name === 'gpu nonce')?.status, 'passed')
      const wrong = await verifyEvidence(evidence, {
        at,
        certs: [chain],
        expectedGpuNonce: `0x${'00'.repeat(32)}`,
      })
      assert.equal(wrong.ok, false)
      assert.match(wrong.error ?? '', /gpu nonce: the GPU nonce 0x931d8dd0add203ac… differs/)
    })

    describe('under stand-in RIMs for the report’s own driver and VBIOS', () => {
      let pki: FakeRimPki
      const measured = new Map(
        parseSpdmMeasurements(evidence).blocks.map((block) => [
          block.index - 1,
          toHex(block.value).slice(2),
        ]),
      )
      const driverIndexes = [...measured.keys()].filter((index) => index < 32)
      const vbiosIndexes = [...measured.keys()].filter((index) => index >= 32)
      const pick = (indexes: number[]) =>
        new Map(indexes.map((index) => [index, measured.get(index) as string]))
      before(async () => {
        pki = await createFakeRimPki({
          notBefore: new Date('2024-01-01T00:00:00Z'),
          notAfter: new Date('2025-01-01T00:00:00Z'),
        })
      })
      const verify = (rims: Uint8Array[]) =>
        verifyNvidiaGpuEvidence({ evidence, certificates: [chain], rims, rimRootCa: pki.root, at })

      it('passes when every golden value equals the GPU’s measurement', async () => {
        const verdict = await verify([
          await pki.signRim('driver', '550.90.07', pick(driverIndexes)),
          await pki.signRim('vbios', '96.00.9F.00.01', pick(vbiosIndexes)),
        ])
        assert.equal(verdict.ok, true, verdict.error)
        assert.match(
          verdict.checks.find((check) => check.name === 'rim measurements')?.explanation ?? '',
          /all 64 active measurements/,
        )
      })

      it('fails on one golden value that differs, on a RIM for another VBIOS, and on an index both RIMs claim', async () => {
        const driver = await pki.signRim('driver', '550.90.07', pick(driverIndexes))
        const changed = pick(vbiosIndexes)
        changed.set(40, '00'.repeat(48))
        assert.match(
          (await verify([driver, await pki.signRim('vbios', '96.00.9F.00.01', changed)])).error ??
            '',
          /1 of 64 measurements differ from NVIDIA's reference values: 40 \(vbios\)/,
        )
        assert.match(
          (await verify([driver, await pki.signRim('vbios', '96.00.5E.00.01', pick(vbiosIndexes))]))
            .error ?? '',
          /VBIOS RIMs given are for 96.00.5E.00.01; the GPU runs VBIOS 96.00.9F.00.01/,
        )
        assert.match(
          (
            await verify([
              driver,
              await pki.signRim('vbios', '96.00.9F.00.01', pick([1, ...vbiosIndexes])),
            ])
          ).error ?? '',
          /claimed by both/,
        )
      })

      it('does not trust a stand-in RIM under the pinned NVIDIA RIM root', async () => {
        const verdict = await verifyNvidiaGpuEvidence({
          evidence,
          certificates: [chain],
          rims: [await pki.signRim('driver', '550.90.07', pick(driverIndexes))],
          at,
        })
        assert.match(
          verdict.error ?? '',
          /does not chain to the pinned NVIDIA CoRIM signing Root CA/,
        )
      })
    })
  })
})
