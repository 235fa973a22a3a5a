import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Hex, toHex } from 'viem'
import { readIntelCollateral } from '../../src/attestation/intel/collateral.ts'
import { readPckExtensions } from '../../src/attestation/intel/pckExtensions.ts'
import { verifyIntelQuote } from '../../src/attestation/intel/verifyIntelQuote.ts'
import type { EvidenceVerdict } from '../../src/attestation/types.ts'
import { intelAdvisoryId, tdxTcbStatusName } from '../../src/chain/actions/tdx/tdxVerdictNames.ts'
import {
  type VerifyTdxQuoteReturnType,
  verifyTdxQuote,
} from '../../src/chain/actions/tdx/verifyTdxQuote.ts'
import { type CollateralSetName, collateralSet, evidenceVector } from '../attestationVectors.ts'
import { createFakeIntelPki } from '../fakeIntelPki.ts'
import {
  deployWithCollateral,
  expectRevert,
  pckChainOf,
  startTdxChain,
  type TdxChain,
  vectorCollateral,
} from './tdxVerifierHarness.ts'

/** The on-chain verdict must say what the off-chain verifier says of the same quote at the same time. */
function assertSameVerdict(
  onChain: VerifyTdxQuoteReturnType,
  offChain: EvidenceVerdict,
  quote: Uint8Array,
) {
  assert.equal(offChain.error, undefined)
  assert.equal(tdxTcbStatusName(onChain.status), offChain.status)
  assert.deepEqual(onChain.advisoryIds.map(intelAdvisoryId), offChain.advisoryIds)
  assert.equal(onChain.tcbEvaluationDataNumber, offChain.tcbEvaluationDataNumber)
  const m = offChain.measurement
  assert.deepEqual(
    [onChain.mrTd, onChain.rtmr0, onChain.rtmr1, onChain.rtmr2, onChain.rtmr3],
    [m.mrtd, m.rtmr0, m.rtmr1, m.rtmr2, m.rtmr3],
  )
  assert.deepEqual(
    [
      onChain.mrConfigId,
      onChain.mrOwner,
      onChain.mrOwnerConfig,
      onChain.tdAttributes,
      onChain.xfam,
    ],
    [m.mrconfigid, m.mrowner, m.mrownerconfig, m.tdattributes, m.xfam],
  )
  assert.equal(onChain.reportData, offChain.reportData)
  const [pck] = pckChainOf(quote)
  assert.ok(pck)
  assert.equal(onChain.fmspc, toHex(readPckExtensions(pck).fmspc))
}

/** The contract error for the off-chain verifier's "No matching TCB level" of either kind. */
function noMatchingLevelError(offChainError: string | undefined): string {
  if (/PCK certificate TCB is below/.test(offChainError ?? '')) return 'NoMatchingSgxTcbLevel'
  if (/TEE_TCB_SVN is below/.test(offChainError ?? '')) return 'NoMatchingTdxTcbLevel'
  throw new Error(`not a no-matching-level verdict: ${offChainError}`)
}

let tdx: TdxChain
before(async () => {
  tdx = await startTdxChain()
})
after(() => tdx.stop())

describe('real Intel TDX quotes with their collateral: the same verdict on-chain as off-chain (MANIFEST.md)', () => {
  const cases: { set: CollateralSetName; at: string; quotes: string[] }[] = [
    {
      set: 'P-TDX',
      at: '2025-06-20T00:00:00Z',
      quotes: [
        'phala-dcap-qvl/tdx_quote',
        'phala-dcap-qvl/tdx-quote.hex',
        'phala-dcap-qvl/quote-from-tappd.hex',
      ],
    },
    {
      set: 'P-2026',
      at: '2026-02-19T00:00:00Z',
      quotes: ['google-go-tdx-guest/quote_v5_sample.dat', 'phala-dcap-qvl/tdx_quote_outdated'],
    },
    {
      set: 'T-90c06f',
      at: '2026-02-01T00:00:00Z',
      quotes: ['google-go-tdx-guest/quote_v5_sample.dat'],
    },
    {
      set: 'G-2023',
      at: '2023-07-01T01:00:00Z',
      quotes: ['google-go-tdx-guest/tdx_prod_quote_SPR_E4.dat'],
    },
  ]
  for (const { set, at, quotes } of cases) {
    it(`${set} at ${at}: ${quotes.join(', ')}`, async () => {
      const first = evidenceVector(quotes[0] as string)
      const { verifier } = await deployWithCollateral(tdx, vectorCollateral(set, first), at)
      for (const name of quotes) {
        const quote = evidenceVector(name)
        const offChain = await verifyIntelQuote({
          quote,
          collateral: readIntelCollateral(collateralSet(set)),
          at: new Date(at),
        })
        if (offChain.ok)
          assertSameVerdict(await verifyTdxQuote(tdx.signer, { verifier, quote }), offChain, quote)
        else
          await expectRevert(
            verifyTdxQuote(tdx.signer, { verifier, quote }),
            noMatchingLevelError(offChain.error),
          )
      }
    })
  }

  it('holds exactly within the joint validity window of the collateral (P-TDX), and fails a second outside it', async () => {
    const quote = evidenceVector('phala-dcap-qvl/tdx_quote')
    const { verifier } = await deployWithCollateral(
      tdx,
      vectorCollateral('P-TDX', quote),
      '2025-06-20T00:00:00Z',
    )
    await tdx.setTime('2025-07-19T10:00:35Z')
    assert.equal((await verifyTdxQuote(tdx.signer, { verifier, quote })).status, 0)
    await tdx.setTime('2025-07-19T10:00:36Z')
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote }), 'CrlNotCurrent')
    await tdx.setTime('2025-06-19T10:32:27Z')
    assert.equal((await verifyTdxQuote(tdx.signer, { verifier, quote })).status, 0)
    await tdx.setTime('2025-06-19T10:32:26Z')
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote }), 'QeIdentityNotCurrent')
    await tdx.setTime('2025-08-01T00:00:00Z')
    await expectRevert(verifyTdxQuote(tdx.signer, { verifier, quote }), 'CrlNotCurrent')
  })
})

// Only the stand-in Intel PKI (test/fakeIntelPki.ts) can reach the states below; real quotes cover the rest.
