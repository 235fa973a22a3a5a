import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { collateralSet, evidenceVector, vectorsMissing } from '../../../test/attestationVectors.ts'
import { createFakeIntelPki, type FakeIntelPki } from '../../../test/fakeIntelPki.ts'
import { applyPolicy, productionPolicy } from '../policy.ts'
import type { EvidenceVerdict } from '../types.ts'
import { readCrls, type X509Crl } from '../x509/certificates.ts'
import { readIntelCollateral } from './collateral.ts'
import { parseIntelQuote } from './quote.ts'
import { verifyIntelQuote } from './verifyIntelQuote.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const tdxQuote = evidenceVector('phala-dcap-qvl/tdx_quote')
  const tdxCollateral = readIntelCollateral(collateralSet('P-TDX'))
  const at = new Date('2025-06-20T00:00:00Z')

  async function verdictFor(quote: Uint8Array, collateral = tdxCollateral, when = at) {
    return verifyIntelQuote({ quote, collateral, at: when })
  }

  /** Byte ranges of the quote that are signed, directly or through the QE report. */
  function signedRanges(quote: Uint8Array): [string, number, number][] {
    const parsed = parseIntelQuote(quote)
    const offsetOf = (part: Uint8Array) => part.byteOffset - quote.byteOffset
    return [
      ['header and body', 0, parsed.signedBytes.length],
      ['quote signature', offsetOf(parsed.signature), offsetOf(parsed.signature) + 64],
      ['attestation key', offsetOf(parsed.attestationKey), offsetOf(parsed.attestationKey) + 64],
      ['QE report', offsetOf(parsed.qeReportBytes), offsetOf(parsed.qeReportBytes) + 384],
      [
        'QE report signature',
        offsetOf(parsed.qeReportSignature),
        offsetOf(parsed.qeReportSignature) + 64,
      ],
      [
        'QE authentication data',
        offsetOf(parsed.qeAuthData),
        offsetOf(parsed.qeAuthData) + parsed.qeAuthData.length,
      ],
    ]
  }

  describe('verifyIntelQuote refuses tampered evidence and collateral', () => {
    it('the untouched quote verifies (so each refusal below is caused by its change)', async () => {
      assert.equal((await verdictFor(tdxQuote)).ok, true)
    })

    for (const [name, start, end] of signedRanges(tdxQuote)) {
      it(`refuses a flipped bit anywhere in the ${name}`, async () => {
        // Every byte of short ranges, a spread of bits over long ones; each flip alone.
        const step = end - start > 128 ? 7 : 1
        for (let offset = start; offset < end; offset += step) {
          const tampered = Uint8Array.from(tdxQuote)
          tampered[offset] = (tampered[offset] as number) ^ (1 << (offset % 8))
          const verdict = await verdictFor(tampered)
          assert.equal(verdict.ok, false, `${name}: flip at byte ${offset} was accepted`)
          assert.ok(verdict.error, `${name}: flip at byte ${offset} has no error`)
        }
      })
    }

    it('refuses a flipped bit anywhere in the signed TCB info and QE identity JSON', async () => {
      for (const key of ['tcbInfos', 'qeIdentities'] as const) {
        const [document] = tdxCollateral[key]
        assert.ok(document)
        for (let index = 0; index < document.body.length; index += 11) {
          const flipped = String.fromCharCode(document.body.charCodeAt(index) ^ 0x01)
          const body = document.body.slice(0, index) + flipped + document.body.slice(index + 1)
          const verdict = await verdictFor(tdxQuote, {
            ...tdxCollateral,
            [key]: [{ ...document, body }],
          })
          assert.equal(verdict.ok, false, `${key}: flip at ${index} was accepted`)
        }
      }
    })

    it('refuses a flipped bit anywhere in the PCK CRL and the PCK certificate', async () => {
      const pckCrl = tdxCollateral.crls.find((crl) => crl.issuer.includes('PCK'))
      assert.ok(pckCrl)
      const crlBytes = new Uint8Array(pckCrl.rawData)
      for (let index = 0; index < crlBytes.length; index += 23) {
        const tampered = Uint8Array.from(crlBytes)
        tampered[index] = (tampered[index] as number) ^ (1 << (index % 8))
        const crls: X509Crl[] = [
          ...tdxCollateral.crls.filter((crl) => crl !== pckCrl),
          ...readCrls(tampered),
        ]
        const verdict: EvidenceVerdict = await verdictFor(tdxQuote, { ...tdxCollateral, crls })
        assert.equal(verdict.ok, false, `CRL flip at ${index} was accepted`)
      }
      const quote = parseIntelQuote(tdxQuote)
      const chainText = new TextDecoder().decode(quote.pckCertificateChainPem)
      const leafBase64 = /-----BEGIN CERTIFICATE-----([^-]+)-----END/
        .exec(chainText)?.[1]
        ?.replace(/\s+/g, '')
      assert.ok(leafBase64)
      const leaf = Uint8Array.from(atob(leafBase64), (char) => char.charCodeAt(0))
      const chainStart = quote.pckCertificateChainPem.byteOffset - tdxQuote.byteOffset
      for (let index = 0; index < leaf.length; index += 17) {
        const tamperedLeaf = Uint8Array.from(leaf)
        tamperedLeaf[index] = (tamperedLeaf[index] as number) ^ (1 << (index % 8))
        const tamperedBase64 = btoa(String.fromCharCode(...tamperedLeaf))
        const tamperedText = chainText.replace(
          /(-----BEGIN CERTIFICATE-----)([^-]+)(-----END)/,
          (_, begin, body: string, end) => {
            let position = 0
            const rewrapped = body.replace(/[^\s]/g, () => tamperedBase64[position++] as string)
            return begin + rewrapped + end
          },
        )
        const tampered = Uint8Array.from(tdxQuote)
        tampered.set(new TextEncoder().encode(tamperedText), chainStart)
        const verdict = await verdictFor(tampered)
        assert.equal(verdict.ok, false, `PCK certificate flip at ${index} was accepted`)
      }
    })

    it("refuses a quote from another vendor's quoting enclave, still reporting its measurements", async () => {
      const tampered = Uint8Array.from(tdxQuote)
      tampered[12] = (tampered[12] as number) ^ 0xff
      const verdict = await verdictFor(tampered)
      assert.match(verdict.error ?? '', /QE vendor ID .* is not Intel's/)
      assert.match(verdict.measurement.mrtd ?? '', /^0x[0-9a-f]{96}$/)
    })

    it('refuses every truncation with a clear message and never throws', async () => {
      const quoteLength = parseIntelQuote(tdxQuote).length
      for (let length = 0; length < quoteLength; length += 97) {
        const verdict = await verdictFor(tdxQuote.subarray(0, length))
        assert.equal(verdict.ok, false)
        assert.match(
          verdict.error ?? '',
          /truncated|Intel quote|certificate/,
          `length ${length}: ${verdict.error}`,
        )
      }
    })

    it("refuses a quote whose PCK certificate was swapped for another platform's", async () => {
      const other = parseIntelQuote(evidenceVector('phala-dcap-qvl/tdx-quote.hex'))
      const own = parseIntelQuote(tdxQuote)
      const otherLeaf = new TextDecoder()
        .decode(other.pckCertificateChainPem)
        .split('-----END CERTIFICATE-----')[0]
      const ownLeaf = new TextDecoder()
        .decode(own.pckCertificateChainPem)
        .split('-----END CERTIFICATE-----')[0]
      assert.ok(
        otherLeaf && ownLeaf && otherLeaf !== ownLeaf && otherLeaf.length === ownLeaf.length,
      )
      const swapped = Uint8Array.from(tdxQuote)
      const start = own.pckCertificateChainPem.byteOffset - tdxQuote.byteOffset
      swapped.set(new TextEncoder().encode(otherLeaf), start)
      const verdict = await verdictFor(swapped)
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /QE report signature does not verify/)
    })

    it('refuses an expired PCK chain', async () => {
      const verdict = await verdictFor(tdxQuote, tdxCollateral, new Date('2040-01-01T00:00:00Z'))
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /PCK Certificate is not valid at 2040/)
    })

    it('refuses collateral without the PCK CRL, or with the CRL of the wrong CA', async () => {
      const noPckCrl = {
        ...tdxCollateral,
        crls: tdxCollateral.crls.filter((crl) => !crl.issuer.includes('PCK')),
      }
      assert.match(
        (await verdictFor(tdxQuote, noPckCrl)).error ?? '',
        /no CRL signed by Intel SGX PCK Platform CA/,
      )
      const processorCrl = readIntelCollateral(collateralSet('P-SGX')).crls.filter((crl) =>
        crl.issuer.includes('Processor'),
      )
      const wrongCa = {
        ...tdxCollateral,
        crls: [...tdxCollateral.crls.filter((crl) => !crl.issuer.includes('PCK')), ...processorCrl],
      }
      assert.match(
        (await verdictFor(tdxQuote, wrongCa)).error ?? '',
        /no CRL signed by Intel SGX PCK Platform CA/,
      )
    })

    it('refuses a TCB info whose signed JSON was altered by one character', async () => {
      const [tcbInfo] = tdxCollateral.tcbInfos
      assert.ok(tcbInfo)
      const altered = {
        ...tcbInfo,
        body: tcbInfo.body.replace('"tcbStatus":"OutOfDate"', '"tcbStatus":"UpToDate" '),
      }
      assert.notEqual(altered.body, tcbInfo.body)
      const verdict = await verdictFor(tdxQuote, { ...tdxCollateral, tcbInfos: [altered] })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /verifies its signature/)
    })

    it('refuses a QE identity signed for another body (SGX QE identity for a TDX quote)', async () => {
      const sgx = readIntelCollateral(collateralSet('P-SGX'))
      const verdict = await verdictFor(tdxQuote, {
        ...tdxCollateral,
        qeIdentities: sgx.qeIdentities,
      })
      assert.match(verdict.error ?? '', /no TD_QE identity/)
    })

    describe('under a stand-in PKI with keys the test holds', () => {
      let pki: FakeIntelPki
      before(async () => {
        pki = await createFakeIntelPki({
          quote: tdxQuote,
          collateral: tdxCollateral,
          notBefore: new Date('2025-01-01T00:00:00Z'),
          notAfter: new Date('2026-01-01T00:00:00Z'),
        })
      })

      it('a quote re-issued under the stand-in root verifies against that root', async () => {
        const verdict = await verifyIntelQuote({
          quote: pki.quote,
          collateral: pki.collateral,
          at,
          rootCa: pki.root,
        })
        assert.equal(verdict.error, undefined)
        assert.equal(verdict.status, 'UpToDate')
      })

      it('the same quote is refused under the pinned Intel root (wrong root)', async () => {
        const verdict = await verifyIntelQuote({ quote: pki.quote, collateral: pki.collateral, at })
        assert.equal(verdict.ok, false)
        assert.match(verdict.error ?? '', /not signed by the trusted Intel SGX Root CA/)
      })

      it('a PCK CRL that lists the PCK certificate revokes it', async () => {
        const verdict = await verifyIntelQuote({
          quote: pki.quote,
          collateral: pki.revokingCollateral,
          at,
          rootCa: pki.root,
        })
        assert.equal(verdict.ok, false)
        assert.match(verdict.error ?? '', /PCK certificate \(serial 0badc0de\) is revoked/)
      })

      it('a TCB info signed by a certificate outside the trusted root is refused', async () => {
        const verdict = await verifyIntelQuote({
          quote: pki.quote,
          collateral: { ...pki.collateral, tcbInfos: tdxCollateral.tcbInfos },
          at,
          rootCa: pki.root,
        })
        assert.equal(verdict.ok, false)
        assert.match(
          verdict.error ?? '',
          /No Intel SGX TCB Signing certificate in the collateral that chains to the root verifies its signature/,
        )
      })

      // biome-ignore lint/suspicious/noExplicitAny: the tests edit collateral JSON freely before it is re-signed
      type EditableJson = any
      /** The stand-in PKI over collateral whose TCB info and QE identity bodies were edited first. */
      const withEditedCollateral = (
        edit: { tcbInfo?: (json: EditableJson) => void; qeIdentity?: (json: EditableJson) => void },
        editSignedBytes?: (bytes: Uint8Array) => void,
      ) => {
        const editBody = (body: string, change?: (json: EditableJson) => void) => {
          if (!change) return body
          const json = JSON.parse(body)
          change(json)
          return JSON.stringify(json)
        }
        return createFakeIntelPki({
          quote: tdxQuote,
          collateral: {
            ...tdxCollateral,
            tcbInfos: tdxCollateral.tcbInfos.map((document) => ({
              ...document,
              body: editBody(document.body, edit.tcbInfo),
            })),
            qeIdentities: tdxCollateral.qeIdentities.map((document) => ({
              ...document,
              body: editBody(document.body, edit.qeIdentity),
            })),
          },
          notBefore: new Date('2025-01-01T00:00:00Z'),
          notAfter: new Date('2026-01-01T00:00:00Z'),
          ...(editSignedBytes ? { editSignedBytes } : {}),
        })
      }

      it('reports the lowest TCB evaluation data number: fresh TCB info does not vouch for a stale QE identity', async () => {
        const stale = await withEditedCollateral({
          qeIdentity: (json) => {
            json.tcbEvaluationDataNumber = 12
          },
        })
        const verdict = await verifyIntelQuote({
          quote: stale.quote,
          collateral: stale.collateral,
          at,
          rootCa: stale.root,
        })
        assert.equal(verdict.ok, true, verdict.error)
        assert.equal(verdict.tcbEvaluationDataNumber, 12)
        const judged = applyPolicy({
          verdict,
          policy: { ...productionPolicy, anyMeasurement: true, minimumTcbEvaluationDataNumber: 17 },
          at,
        })
        assert.equal(judged.ok, false)
        assert.match(judged.error ?? '', /tcb evaluation data number: 12 \(minimum 17\)/)
      })

      it('sets aside a forged higher-numbered TCB info or QE identity beside the valid ones', async () => {
        const forge = (document: { body: string; signature: Uint8Array }) => ({
          body: document.body.replace(
            /"tcbEvaluationDataNumber":\d+/,
            '"tcbEvaluationDataNumber":99',
          ),
          signature: document.signature,
        })
        const collateral = {
          ...pki.collateral,
          tcbInfos: [...pki.collateral.tcbInfos, ...pki.collateral.tcbInfos.map(forge)],
          qeIdentities: [...pki.collateral.qeIdentities.map(forge), ...pki.collateral.qeIdentities],
        }
        const verdict = await verifyIntelQuote({
          quote: pki.quote,
          collateral,
          at,
          rootCa: pki.root,
        })
        assert.equal(verdict.ok, true, verdict.error)
        assert.equal(verdict.tcbEvaluationDataNumber, 17)
        for (const name of ['tcb info', 'qe identity'])
          assert.match(
            verdict.checks.find((check) => check.name === name)?.explanation ?? '',
            /1 newer document that does not verify set aside/,
          )
        // Alone, a forged document is still a failure.
        const forgedOnly = await verifyIntelQuote({
          quote: pki.quote,
          collateral: { ...pki.collateral, tcbInfos: pki.collateral.tcbInfos.map(forge) },
          at,
          rootCa: pki.root,
        })
        assert.equal(forgedOnly.ok, false)
      })

      it('orders TCB levels as Intel does, whatever their order in the JSON', async () => {
        const reversed = await withEditedCollateral({
          tcbInfo: (json) => {
            json.tcbLevels.reverse()
          },
        })
        const verdict = await verifyIntelQuote({
          quote: reversed.quote,
          collateral: reversed.collateral,
          at,
          rootCa: reversed.root,
        })
        assert.equal(verdict.status, 'UpToDate', verdict.error)
      })

      it('requires SEAMATTRIBUTES to be zero, as Intel does, even where the identity masks them out', async () => {
        const seamAttributesOffset = 48 + 16 + 48 + 48
        const debugModule = await withEditedCollateral(
          {
            tcbInfo: (json) => {
              for (const identity of [json.tdxModule, ...json.tdxModuleIdentities])
                identity.attributesMask = '0000000000000000'
            },
          },
          (bytes) => {
            bytes[seamAttributesOffset] = 0x01
          },
        )
        const verdict = await verifyIntelQuote({
          quote: debugModule.quote,
          collateral: debugModule.collateral,
          at,
          rootCa: debugModule.root,
        })
        assert.equal(verdict.ok, false)
        assert.match(verdict.error ?? '', /SEAMATTRIBUTES 0100000000000000 are not zero/)
      })
    })
  })
})
