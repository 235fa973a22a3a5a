import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  collateralSet,
  evidenceVector,
  vector,
  vectorsMissing,
} from '../../../test/attestationVectors.ts'
import { toPlainHex } from '../bytes.ts'
import { CollateralError } from '../errors.ts'
import { readIntelCollateral } from './collateral.ts'
import { verifyIntelQuote } from './verifyIntelQuote.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
  const encode = (value: string) => new TextEncoder().encode(value)

  function pemOf(der: Uint8Array, label: string): Uint8Array {
    const base64 = btoa(String.fromCharCode(...der))
    return encode(
      `-----BEGIN ${label}-----\n${base64.replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`,
    )
  }

  async function statusWith(
    files: Uint8Array[],
    at = '2026-02-01T00:00:00Z',
  ): Promise<string | undefined> {
    const verdict = await verifyIntelQuote({
      quote: evidenceVector('google-go-tdx-guest/quote_v5_sample.dat'),
      collateral: readIntelCollateral(files),
      at: new Date(at),
    })
    return verdict.status ?? verdict.error
  }

  describe('readIntelCollateral recognises files by content', () => {
    it('raw PCS responses: JSON, DER CRLs, URL-encoded PEM issuer chains', async () => {
      const collateral = readIntelCollateral(collateralSet('T-90c06f'))
      assert.equal(collateral.tcbInfos.length, 1)
      assert.equal(collateral.qeIdentities.length, 1)
      assert.equal(collateral.crls.length, 2)
      assert.equal(collateral.certificates.length, 2)
      assert.equal(await statusWith(collateralSet('T-90c06f')), 'UpToDate')
    })

    it('the same collateral with PEM and hex CRLs, a plain PEM chain, and files in any order', async () => {
      const files = [
        vector('tinfoilsh-verifier/qe_identity.json'),
        pemOf(vector('tinfoilsh-verifier/pck_crl_platform.crl'), 'X509 CRL'),
        encode(toPlainHex(vector('tinfoilsh-verifier/root_ca.crl'))),
        encode(
          decodeURIComponent(text(vector('tinfoilsh-verifier/tcb_info_90c06f000000_chain.txt'))),
        ),
        vector('tinfoilsh-verifier/tcb_info_90c06f000000.json'),
      ]
      assert.equal(await statusWith(files), 'UpToDate')
    })

    it('a dcap-qvl collateral bundle', async () => {
      const collateral = readIntelCollateral([
        vector('phala-dcap-qvl/tdx_quote_outdated_collateral.json'),
      ])
      assert.equal(collateral.tcbInfos.length, 1)
      assert.equal(collateral.qeIdentities.length, 1)
      assert.equal(collateral.crls.length, 2)
      assert.equal(
        await statusWith(
          [vector('phala-dcap-qvl/tdx_quote_outdated_collateral.json')],
          '2026-02-19T00:00:00Z',
        ),
        'UpToDate',
      )
    })

    it('keeps the signed JSON bytes exactly, whatever the member order and spacing', async () => {
      const original = text(vector('tinfoilsh-verifier/tcb_info_90c06f000000.json'))
      const parsed = JSON.parse(original) as { signature: string }
      const body = original.slice(original.indexOf('{', 1), original.lastIndexOf(',"signature"'))
      const reordered = encode(`{ "signature" : "${parsed.signature}" ,\n  "tcbInfo":${body} }`)
      const files = [...collateralSet('T-90c06f').slice(1), reordered]
      assert.equal(await statusWith(files), 'UpToDate')
    })

    it('refuses a file that is none of these', () => {
      assert.throws(() => readIntelCollateral([encode('hello')]), CollateralError)
      assert.throws(
        () => readIntelCollateral([{ name: 'notes.txt', bytes: encode('{"a":1}') }]),
        /notes\.txt is not a TCB info/,
      )
    })
  })
})
