import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type CollateralSetName,
  collateralSet,
  evidenceVector,
  vectorsMissing,
} from '../../../test/attestationVectors.ts'
import { createFakeIntelPki } from '../../../test/fakeIntelPki.ts'
import { readIntelCollateral } from './collateral.ts'
import { verifyIntelQuote } from './verifyIntelQuote.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  type ManifestCase = {
    quote: string
    collateral: CollateralSetName
    at: string
    expected: { status: string; advisoryIds: string[] } | { error: RegExp }
  }

  /** Every Intel case of MANIFEST.md, with the expected result it states. */
  const manifestCases: ManifestCase[] = [
    {
      quote: 'phala-dcap-qvl/sgx_quote',
      collateral: 'P-SGX',
      at: '2025-06-20T00:00:00Z',
      expected: {
        status: 'ConfigurationAndSWHardeningNeeded',
        advisoryIds: ['INTEL-SA-00289', 'INTEL-SA-00615'],
      },
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-07-19T10:00:35Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-07-19T10:00:36Z',
      expected: { error: /PCK Platform CA CRL is not current/ },
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-06-19T10:32:27Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-06-19T10:32:26Z',
      expected: { error: /TD_QE identity is not current/ },
    },
    {
      quote: 'phala-dcap-qvl/tdx-quote.hex',
      collateral: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      expected: { error: /No matching TCB level/ },
    },
    {
      quote: 'phala-dcap-qvl/quote-from-tappd.hex',
      collateral: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      expected: { error: /No matching TCB level/ },
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote_outdated',
      collateral: 'P-2026',
      at: '2026-02-19T00:00:00Z',
      expected: { error: /No matching TCB level/ },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'P-2026',
      at: '2026-02-19T00:00:00Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'T-90c06f',
      at: '2026-02-01T00:00:00Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'google-go-tdx-guest/tdx_prod_quote_SPR_E4.dat',
      collateral: 'G-2023',
      at: '2023-07-01T01:00:00Z',
      expected: { error: /No matching TCB level/ },
    },
    // The joint window of each collateral set, and one second outside it on either side.
    {
      quote: 'phala-dcap-qvl/sgx_quote',
      collateral: 'P-SGX',
      at: '2025-06-19T10:56:11Z',
      expected: {
        status: 'ConfigurationAndSWHardeningNeeded',
        advisoryIds: ['INTEL-SA-00289', 'INTEL-SA-00615'],
      },
    },
    {
      quote: 'phala-dcap-qvl/sgx_quote',
      collateral: 'P-SGX',
      at: '2025-06-19T10:56:10Z',
      expected: { error: /not current/ },
    },
    {
      quote: 'phala-dcap-qvl/sgx_quote',
      collateral: 'P-SGX',
      at: '2025-07-19T10:01:18Z',
      expected: {
        status: 'ConfigurationAndSWHardeningNeeded',
        advisoryIds: ['INTEL-SA-00289', 'INTEL-SA-00615'],
      },
    },
    {
      quote: 'phala-dcap-qvl/sgx_quote',
      collateral: 'P-SGX',
      at: '2025-07-19T10:01:19Z',
      expected: { error: /not current/ },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'P-2026',
      at: '2026-02-18T10:58:51Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'P-2026',
      at: '2026-02-18T10:58:50Z',
      expected: { error: /not current/ },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'P-2026',
      at: '2026-03-20T10:41:15Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'P-2026',
      at: '2026-03-20T10:41:16Z',
      expected: { error: /not current/ },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'T-90c06f',
      // This quote's PCK certificate starts later than the collateral: it bounds the window.
      at: '2026-01-27T14:36:27Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'T-90c06f',
      at: '2026-01-27T14:36:26Z',
      expected: { error: /PCK Certificate is not valid at/ },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'T-90c06f',
      at: '2026-02-11T15:46:45Z',
      expected: { status: 'UpToDate', advisoryIds: [] },
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'T-90c06f',
      at: '2026-02-11T15:46:46Z',
      expected: { error: /not current/ },
    },
  ]

  describe('verifyIntelQuote on the MANIFEST.md vectors', () => {
    for (const testCase of manifestCases) {
      const label = `${testCase.quote} with ${testCase.collateral} at ${testCase.at}`
      it(`${label} → ${'status' in testCase.expected ? testCase.expected.status : testCase.expected.error.source}`, async () => {
        const verdict = await verifyIntelQuote({
          quote: evidenceVector(testCase.quote),
          collateral: readIntelCollateral(collateralSet(testCase.collateral)),
          at: new Date(testCase.at),
        })
        if ('status' in testCase.expected) {
          assert.equal(verdict.error, undefined)
          assert.equal(verdict.ok, true)
          assert.equal(verdict.status, testCase.expected.status)
          assert.deepEqual(verdict.advisoryIds, testCase.expected.advisoryIds)
          assert.ok(
            verdict.checks.every(
              (check) =>
                check.status === 'passed' ||
                (check.name === 'event log replay' && check.status === 'not-applicable'),
            ),
          )
        } else {
          assert.equal(verdict.ok, false)
          assert.match(verdict.error ?? '', testCase.expected.error)
          assert.equal(
            verdict.checks.find((check) => check.status === 'failed')?.explanation,
            verdict.error,
          )
          // Every check of the kind is named, reached or not: TDX adds the module and the event log.
          assert.equal(verdict.checks.length, verdict.tee === 'tdx' ? 13 : 11)
        }
      })
    }

    it('reads the padded COS quote by its own length and verifies its signatures', async () => {
      const verdict = await verifyIntelQuote({
        quote: evidenceVector('google-go-tdx-guest/cos-113-tdx-quote.dat'),
        collateral: readIntelCollateral(collateralSet('T-90c06f')),
        at: new Date('2026-02-01T00:00:00Z'),
      })
      const passed = verdict.checks
        .filter((check) => check.status === 'passed')
        .map((check) => check.name)
      assert.deepEqual(passed, [
        'quote structure',
        'pck certificate chain',
        'root ca crl',
        'pck crl',
        'qe report signature',
        'attestation key binding',
        'quote signature',
      ])
      assert.match(verdict.error ?? '', /no TDX TCB info for FMSPC 00806f050000/)
      assert.equal(verdict.reportData, `0x${'00'.repeat(64)}`)
    })

    it('reports the SGX measurement, debug flag and report data', async () => {
      const verdict = await verifyIntelQuote({
        quote: evidenceVector('phala-dcap-qvl/sgx_quote'),
        collateral: readIntelCollateral(collateralSet('P-SGX')),
        at: new Date('2025-06-20T00:00:00Z'),
      })
      assert.equal(verdict.tee, 'sgx')
      assert.match(verdict.measurement.mrenclave ?? '', /^0x33d8736d/)
      assert.equal(verdict.debug, false)
      assert.ok(
        new TextDecoder()
          .decode(Buffer.from(verdict.reportData.slice(2), 'hex'))
          .startsWith('Hello, world!'),
      )
    })
  })

  describe('TDX module rating and the TD 1.5 relaunch check (quotes re-signed under a stand-in root)', () => {
    const collateral = readIntelCollateral(collateralSet('T-90c06f'))
    const at = new Date('2026-02-01T00:00:00Z')
    const window = {
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    }
    // quote_v5_sample: TEE_TCB_SVN 0b 01 04 at body offset 0 (quote byte 54), TEE_TCB_SVN2 0d 01 04 at quote byte 638.
    async function verdictWith(edit: (signed: Uint8Array) => void) {
      const pki = await createFakeIntelPki({
        quote: evidenceVector('google-go-tdx-guest/quote_v5_sample.dat'),
        collateral,
        ...window,
        editSignedBytes: edit,
      })
      return verifyIntelQuote({
        quote: pki.quote,
        collateral: pki.collateral,
        at,
        rootCa: pki.root,
      })
    }

    it('a TDX module at an OutOfDate ISVSVN makes the TD OutOfDate, with the module level advisories', async () => {
      const verdict = await verdictWith((signed) => {
        signed[54] = 4
        signed[638] = 4
      })
      assert.equal(verdict.status, 'OutOfDate')
      assert.deepEqual(verdict.advisoryIds, ['INTEL-SA-01036', 'INTEL-SA-01099'])
    })

    it('when the platform has since been updated (TEE_TCB_SVN2 current), Intel advises a relaunch', async () => {
      const verdict = await verdictWith((signed) => {
        signed[54] = 4
      })
      assert.equal(verdict.status, 'TDRelaunchAdvised')
    })

    it('a TDX module major version the TCB info does not describe is a mismatch', async () => {
      const verdict = await verdictWith((signed) => {
        signed[55] = 7
      })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /no TDX module/)
    })
  })

  describe('every quote layout: v4 and v5 with SGX and TD 1.0 bodies (re-encoded real quotes under a stand-in root)', () => {
    const window = {
      notBefore: new Date('2023-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T00:00:00Z'),
    }
    const at = new Date('2025-06-20T00:00:00Z')

    /** The same header and body as a v5 quote: version 5, then body type and size before the body. */
    function asVersion5(bodyType: number) {
      return (signed: Uint8Array) => {
        const header = Uint8Array.from(signed.subarray(0, 48))
        header[0] = 5
        const body = signed.subarray(48)
        const bodyHeader = new Uint8Array(6)
        new DataView(bodyHeader.buffer).setUint16(0, bodyType, true)
        new DataView(bodyHeader.buffer).setUint32(2, body.length, true)
        return Uint8Array.from([...header, ...bodyHeader, ...body])
      }
    }

    const layouts = [
      {
        name: 'SGX v4',
        quote: 'phala-dcap-qvl/sgx_quote',
        collateral: 'P-SGX',
        rewrite: (signed: Uint8Array) => Uint8Array.from([4, ...signed.subarray(1)]),
        body: 'sgx',
        status: 'ConfigurationAndSWHardeningNeeded',
      },
      {
        name: 'SGX v5 (body type 1)',
        quote: 'phala-dcap-qvl/sgx_quote',
        collateral: 'P-SGX',
        rewrite: asVersion5(1),
        body: 'sgx',
        status: 'ConfigurationAndSWHardeningNeeded',
      },
      {
        name: 'TDX v5 with a TD 1.0 body (type 2)',
        quote: 'phala-dcap-qvl/tdx_quote',
        collateral: 'P-TDX',
        rewrite: asVersion5(2),
        body: 'td10',
        status: 'UpToDate',
      },
    ] as const

    for (const layout of layouts) {
      it(`${layout.name} parses and verifies: ${layout.status}`, async () => {
        const pki = await createFakeIntelPki({
          quote: evidenceVector(layout.quote),
          collateral: readIntelCollateral(collateralSet(layout.collateral)),
          ...window,
          rewriteSignedBytes: layout.rewrite,
        })
        const verdict = await verifyIntelQuote({
          quote: pki.quote,
          collateral: pki.collateral,
          at,
          rootCa: pki.root,
        })
        assert.equal(verdict.error, undefined)
        assert.equal(verdict.status, layout.status)
        assert.match(
          verdict.checks[0]?.explanation ?? '',
          new RegExp(`quote v${layout.name.includes('v4') ? 4 : 5}, ${layout.body} body`),
        )
      })
    }
  })
})
