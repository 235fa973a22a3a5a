import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import {
  type CollateralSetName,
  collateralSet,
  evidenceVector,
  vectorsMissing,
} from '../../../test/attestationVectors.ts'
import { createFakeIntelPki } from '../../../test/fakeIntelPki.ts'
import {
  type Outcome,
  verifyWithPhalaJs,
  verifyWithPhalaWasm,
} from '../../../test/phalaVerifiers.ts'
import type { EvidenceVerdict } from '../types.ts'
import { readIntelCollateral } from './collateral.ts'
import { verifyIntelQuote } from './verifyIntelQuote.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  function outcomeOf(verdict: EvidenceVerdict): Outcome {
    return verdict.ok
      ? `${verdict.status} [${verdict.advisoryIds.join(', ')}]`
      : `error: ${verdict.error}`
  }

  type CrossCase = {
    quote: string
    collateral: CollateralSetName
    at: string
    bocc: RegExp
    js: RegExp
    wasm: RegExp
    /** Why the verifiers differ, when they do (docs/attestation.md has the full table). */
    why?: string
  }

  /** Every Intel vector, through BOCC, @phala/dcap-qvl (JS) and @phala/dcap-qvl-web (WASM 0.3.3). */
  const cases: CrossCase[] = [
    {
      quote: 'phala-dcap-qvl/sgx_quote',
      collateral: 'P-SGX',
      at: '2025-06-20T00:00:00Z',
      bocc: /^ConfigurationAndSWHardeningNeeded \[INTEL-SA-00289, INTEL-SA-00615\]$/,
      js: /^ConfigurationAndSWHardeningNeeded \[INTEL-SA-00289, INTEL-SA-00615\]$/,
      wasm: /^ConfigurationAndSWHardeningNeeded \[INTEL-SA-00289, INTEL-SA-00615\]$/,
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      bocc: /^UpToDate \[\]$/,
      js: /^UpToDate \[\]$/,
      wasm: /^UpToDate \[\]$/,
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-07-19T10:00:36Z',
      bocc: /PCK Platform CA CRL is not current/,
      js: /^UpToDate/,
      wasm: /certificate chain/,
      why: 'the JS port does not check CRL dates',
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote',
      collateral: 'P-TDX',
      at: '2025-06-19T10:32:26Z',
      bocc: /TD_QE identity is not current/,
      js: /issue date is in the future/,
      wasm: /^UpToDate/,
      why: 'the Rust 0.3.3 build checks nextUpdate but not issueDate',
    },
    {
      quote: 'phala-dcap-qvl/tdx-quote.hex',
      collateral: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      bocc: /No matching TCB level/,
      js: /No matching TCB level/,
      wasm: /^Unknown/,
      why: 'the Rust 0.3.3 build reports status Unknown instead of failing',
    },
    {
      quote: 'phala-dcap-qvl/quote-from-tappd.hex',
      collateral: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      bocc: /No matching TCB level/,
      js: /No matching TCB level/,
      wasm: /^Unknown/,
      why: 'as above',
    },
    {
      quote: 'phala-dcap-qvl/tdx_quote_outdated',
      collateral: 'P-2026',
      at: '2026-02-19T00:00:00Z',
      bocc: /No matching TCB level/,
      js: /No matching TCB level/,
      wasm: /Failed to decode quote/,
      why: 'the Rust 0.3.3 build cannot decode v5 quotes',
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'P-2026',
      at: '2026-02-19T00:00:00Z',
      bocc: /^UpToDate \[\]$/,
      js: /^UpToDate \[\]$/,
      wasm: /Failed to decode quote/,
      why: 'v5',
    },
    {
      quote: 'google-go-tdx-guest/quote_v5_sample.dat',
      collateral: 'T-90c06f',
      at: '2026-02-01T00:00:00Z',
      bocc: /^UpToDate \[\]$/,
      js: /^UpToDate \[\]$/,
      wasm: /Failed to decode quote/,
      why: 'v5',
    },
    {
      quote: 'google-go-tdx-guest/tdx_prod_quote_SPR_E4.dat',
      collateral: 'G-2023',
      at: '2023-07-01T01:00:00Z',
      bocc: /No matching TCB level/,
      js: /No matching TCB level/,
      wasm: /SEPT_VE_DISABLE is not enabled/,
      why: 'the Rust build applies a TD attributes policy before TCB matching; in BOCC that belongs to policy',
    },
  ]

  describe("Phala's DCAP verifiers on every Intel vector", () => {
    for (const testCase of cases) {
      it(`${testCase.quote} with ${testCase.collateral} at ${testCase.at}${testCase.why ? ` (differs: ${testCase.why})` : ''}`, async () => {
        const quote = evidenceVector(testCase.quote)
        const collateral = readIntelCollateral(collateralSet(testCase.collateral))
        const at = new Date(testCase.at)
        assert.match(outcomeOf(await verifyIntelQuote({ quote, collateral, at })), testCase.bocc)
        assert.match(verifyWithPhalaJs(quote, collateral, at), testCase.js)
        assert.match(verifyWithPhalaWasm(quote, collateral, at), testCase.wasm)
      })
    }

    describe('where Intel’s QVL and dcap-qvl disagree, on quotes re-signed under a stand-in root', () => {
      const tdxCollateral = readIntelCollateral(collateralSet('P-TDX'))
      const v5Collateral = readIntelCollateral(collateralSet('T-90c06f'))
      const at = new Date('2025-06-20T00:00:00Z')
      const window = {
        notBefore: new Date('2023-01-01T00:00:00Z'),
        notAfter: new Date('2030-01-01T00:00:00Z'),
      }
      let unchanged: Awaited<ReturnType<typeof createFakeIntelPki>>
      before(async () => {
        unchanged = await createFakeIntelPki({
          quote: evidenceVector('phala-dcap-qvl/tdx_quote'),
          collateral: tdxCollateral,
          ...window,
          editSignedBytes: () => {},
        })
      })

      it('both agree on the re-signed quote itself (the stand-in PKI is faithful)', async () => {
        const ours = await verifyIntelQuote({
          quote: unchanged.quote,
          collateral: unchanged.collateral,
          at,
          rootCa: unchanged.root,
        })
        assert.equal(outcomeOf(ours), 'UpToDate []')
        assert.equal(
          verifyWithPhalaJs(unchanged.quote, unchanged.collateral, at, unchanged.root),
          'UpToDate []',
        )
      })

      it('TEE_TCB_SVN[0] below the TCB level: Intel rates the module by TDX_01 (OutOfDate); dcap-qvl compares all 16 bytes and finds no level', async () => {
        const pki = await createFakeIntelPki({
          quote: evidenceVector('phala-dcap-qvl/tdx_quote'),
          collateral: tdxCollateral,
          ...window,
          editSignedBytes: (signed) => {
            signed[48] = 2 // TEE_TCB_SVN[0], the TDX module ISVSVN; byte 1 (major version 1) stays.
          },
        })
        const ours = await verifyIntelQuote({
          quote: pki.quote,
          collateral: pki.collateral,
          at,
          rootCa: pki.root,
        })
        assert.equal(outcomeOf(ours), 'OutOfDate []')
        assert.match(
          ours.checks.find((check) => check.name === 'tcb level')?.explanation ?? '',
          /TDX module TDX_01 ISVSVN 2: OutOfDate/,
        )
        assert.match(
          verifyWithPhalaJs(pki.quote, pki.collateral, at, pki.root),
          /No matching TCB level/,
        )
      })

      it('a non-zero MRSERVICETD: Intel verifies (UpToDate); dcap-qvl refuses by default', async () => {
        const pki = await createFakeIntelPki({
          quote: evidenceVector('google-go-tdx-guest/quote_v5_sample.dat'),
          collateral: v5Collateral,
          ...window,
          editSignedBytes: (signed) => {
            signed[signed.length - 1] = 1 // last byte of MRSERVICETD in the TD 1.5 body
          },
        })
        const v5At = new Date('2026-02-01T00:00:00Z')
        const ours = await verifyIntelQuote({
          quote: pki.quote,
          collateral: pki.collateral,
          at: v5At,
          rootCa: pki.root,
        })
        assert.equal(outcomeOf(ours), 'UpToDate []')
        assert.match(ours.measurement.mrservicetd ?? '', /01$/)
        assert.match(verifyWithPhalaJs(pki.quote, pki.collateral, v5At, pki.root), /mr service td/i)
      })
    })
  })
})
