import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evidenceVector, vector, vectorsMissing } from '../../test/attestationVectors.ts'
import { CollateralError } from './errors.ts'
import { fetchCollateral } from './fetchCollateral.ts'
import { verifyEvidence } from './verifyEvidence.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  /** A stand-in for Intel PCS and AMD KDS that serves the vector files and records what was asked. */
  function fakeServer(routes: Record<string, { body: string; headers?: Record<string, string> }>) {
    const requested: string[] = []
    const fetch = (async (input: string | URL | Request) => {
      const url = String(input)
      requested.push(url)
      const route = routes[url]
      if (!route) return new Response('not found', { status: 404 })
      const headers = Object.fromEntries(
        Object.entries(route.headers ?? {}).map(([name, file]) => [
          name,
          new TextDecoder().decode(vector(file)).trim(),
        ]),
      )
      return new Response(Uint8Array.from(vector(route.body)), { headers })
    }) as typeof globalThis.fetch
    return { fetch, requested }
  }

  describe('fetchCollateral', () => {
    it('fetches what an Intel TDX quote needs from PCS, and the result verifies offline', async () => {
      const pcs = 'https://pcs.example'
      const server = fakeServer({
        [`${pcs}/tdx/certification/v4/tcb?fmspc=90c06f000000`]: {
          body: 'tinfoilsh-verifier/tcb_info_90c06f000000.json',
          headers: {
            'TCB-Info-Issuer-Chain': 'tinfoilsh-verifier/tcb_info_90c06f000000_chain.txt',
          },
        },
        [`${pcs}/tdx/certification/v4/qe/identity`]: {
          body: 'tinfoilsh-verifier/qe_identity.json',
          headers: {
            'SGX-Enclave-Identity-Issuer-Chain': 'tinfoilsh-verifier/qe_identity_chain.txt',
          },
        },
        [`${pcs}/sgx/certification/v4/pckcrl?ca=platform&encoding=der`]: {
          body: 'tinfoilsh-verifier/pck_crl_platform.crl',
          headers: { 'SGX-PCK-CRL-Issuer-Chain': 'tinfoilsh-verifier/pck_crl_platform_chain.txt' },
        },
        'https://certificates.trustedservices.intel.com/IntelSGXRootCA.der': {
          body: 'tinfoilsh-verifier/root_ca.crl',
        },
      })
      const quote = evidenceVector('google-go-tdx-guest/quote_v5_sample.dat')
      const files = await fetchCollateral({ evidence: quote, pcsUrl: pcs, fetch: server.fetch })
      assert.equal(server.requested.length, 4)
      assert.deepEqual(
        files.map((file) => file.name),
        [
          'tcb_info_90c06f000000.json',
          'tcb_info_90c06f000000_chain.txt',
          'qe_identity.json',
          'qe_identity_chain.txt',
          'pck_crl_platform.crl',
          'pck_crl_platform_chain.txt',
          'root_ca.crl',
        ],
      )
      const verdict = await verifyEvidence(quote, {
        at: new Date('2026-02-01T00:00:00Z'),
        collateral: files.map((file) => file.bytes),
      })
      assert.equal(verdict.ok, true, verdict.error)
      assert.equal(verdict.status, 'UpToDate')
    })

    it('asks for the Processor CA CRL when the PCK certificate comes from it', async () => {
      const server = fakeServer({})
      await assert.rejects(
        fetchCollateral({ evidence: vector('phala-dcap-qvl/sgx_quote'), fetch: server.fetch }),
        CollateralError,
      )
      assert.ok(
        server.requested.includes(
          'https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=processor&encoding=der',
        ),
      )
      assert.ok(
        server.requested.includes(
          'https://api.trustedservices.intel.com/sgx/certification/v4/tcb?fmspc=00a067110000',
        ),
      )
    })

    it("fetches a Genoa report's VCEK by chip ID and reported TCB, and the result verifies offline", async () => {
      const report = vector('tinfoil-js/sev_snp_report_genoa.bin')
      const chipId = Buffer.from(report.subarray(0x1a0, 0x1e0)).toString('hex')
      const server = fakeServer({
        [`https://kdsintf.amd.com/vcek/v1/Genoa/${chipId}?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=84`]:
          {
            body: 'tinfoil-js/vcek_genoa.der',
          },
        'https://kdsintf.amd.com/vcek/v1/Genoa/cert_chain': {
          body: 'google-go-sev-guest/ask_ark_genoa.pem',
        },
      })
      const files = await fetchCollateral({ evidence: report, fetch: server.fetch })
      assert.ok(server.requested.includes('https://kdsintf.amd.com/vcek/v1/Genoa/crl'))
      assert.equal(files.length, 2)
      const verdict = await verifyEvidence(report, {
        at: new Date('2026-02-01T00:00:00Z'),
        certs: files.map((file) => file.bytes),
      })
      assert.equal(verdict.ok, true, verdict.error)
    })

    it('needs the product line for a v2 report, and says so', async () => {
      const server = fakeServer({})
      await assert.rejects(
        fetchCollateral({ evidence: vector('virtee-sev/report_milan.bin'), fetch: server.fetch }),
        /give Milan, Genoa or Turin/,
      )
      await assert.rejects(
        fetchCollateral({
          evidence: vector('virtee-sev/report_milan.bin'),
          productLine: 'Milan',
          fetch: server.fetch,
        }),
        /answered HTTP 404/,
      )
      assert.match(
        server.requested[0] ?? '',
        /^https:\/\/kdsintf\.amd\.com\/vcek\/v1\/Milan\/[0-9a-f]{128}\?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115$/,
      )
    })
  })
})
