import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evidenceVector, vector, vectorsMissing } from '../../test/attestationVectors.ts'
import { verifyEvidence } from '../attestation/verifyEvidence.ts'
import {
  buildCollateralBundle,
  collateralForVerification,
  decodeCollateralBundle,
  encodeCollateralBundle,
  gpuCollateralFiles,
  gpuCollateralOf,
} from './collateralBundle.ts'

describe('collateral bundle', { skip: vectorsMissing }, () => {
  it('holds what offline verification of real SEV-SNP evidence needs, as one blob', async () => {
    const report = evidenceVector('virtee-sev/report_milan.bin')
    // A stand-in for AMD KDS serving the vector files (the ARK's CRL is not served).
    const kds = 'https://kds.example'
    const fetch = (async (input: string | URL | Request) => {
      const url = String(input)
      if (
        url.startsWith(`${kds}/vcek/v1/Milan/`) &&
        !url.includes('cert_chain') &&
        !url.endsWith('/crl')
      )
        return new Response(Uint8Array.from(vector('virtee-sev/vcek_milan.der')))
      if (url === `${kds}/vcek/v1/Milan/cert_chain`)
        return new Response(Uint8Array.from(vector('google-go-sev-guest/ask_ark_milan.pem')))
      return new Response('not found', { status: 404 })
    }) as typeof globalThis.fetch
    const built = await buildCollateralBundle({
      evidence: report,
      kdsUrl: kds,
      productLine: 'Milan',
      fetch,
    })
    assert.equal(built.tee, 'sev-snp')
    const bundle = decodeCollateralBundle(built.bytes)
    assert.deepEqual(
      bundle.files.map((file) => file.name),
      ['ask_ark_milan.pem', 'vcek_milan.der'],
    )
    // The same files give the same bytes: the blob's address is stable.
    assert.deepEqual(
      encodeCollateralBundle({ tee: 'sev-snp', files: [...bundle.files].reverse() }),
      built.bytes,
    )
    const verdict = await verifyEvidence(report, {
      at: new Date('2025-01-01T00:00:00Z'),
      ...collateralForVerification(bundle),
    })
    assert.equal(verdict.ok, true, verdict.error)
  })

  it('keeps a GPU’s files apart from the CPU’s: under gpu/, chain first', () => {
    const bytes = (text: string) => new TextEncoder().encode(text)
    const bundle = decodeCollateralBundle(
      encodeCollateralBundle({
        tee: 'tdx',
        files: [
          { name: 'tcb-info.json', bytes: bytes('tcb') },
          ...gpuCollateralFiles({
            certificates: bytes('chain'),
            collateral: [bytes('rim'), bytes('ocsp')],
          }),
        ],
      }),
    )
    assert.deepEqual(gpuCollateralOf(bundle), [bytes('chain'), bytes('rim'), bytes('ocsp')])
    assert.deepEqual(collateralForVerification(bundle), { collateral: [bytes('tcb')] })
    const simOnly = decodeCollateralBundle(
      encodeCollateralBundle({
        tee: 'sim',
        files: gpuCollateralFiles({ certificates: bytes('chain'), collateral: [] }),
      }),
    )
    assert.equal(simOnly.tee, 'sim')
    assert.deepEqual(gpuCollateralOf(simOnly), [bytes('chain')])
  })

  it('refuses what is not a collateral bundle', () => {
    assert.throws(() => decodeCollateralBundle(new Uint8Array(16)), /does not start with BOCCCOL1/)
    assert.throws(
      () =>
        encodeCollateralBundle({
          tee: 'tdx',
          files: [
            { name: 'a', bytes: new Uint8Array() },
            { name: 'a', bytes: new Uint8Array() },
          ],
        }),
      /holds a twice/,
    )
  })
})
