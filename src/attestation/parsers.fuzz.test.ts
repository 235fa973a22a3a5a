import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  collateralSet,
  evidenceVector,
  vector,
  vectorsMissing,
} from '../../test/attestationVectors.ts'
import { BoccError } from '../errors.ts'
import { parseSevSnpReport } from './amd/report.ts'
import { verifySevSnpReport } from './amd/verifySevSnpReport.ts'
import { readIntelCollateral } from './intel/collateral.ts'
import { replayEventLog } from './intel/eventLog.ts'
import { parseQeIdentity } from './intel/qeIdentity.ts'
import { parseIntelQuote } from './intel/quote.ts'
import { topLevelMemberTexts } from './intel/signedJson.ts'
import { parseTcbInfo } from './intel/tcbInfo.ts'
import { verifyIntelQuote } from './intel/verifyIntelQuote.ts'
import { readRim } from './nvidia/rim.ts'
import { nvidiaRimRootPem } from './nvidia/roots.ts'
import { parseSpdmMeasurements, readGpuOpaqueInfo } from './nvidia/spdmMeasurements.ts'
import { parsePolicy } from './policy.ts'
import { readEvidence } from './readEvidence.ts'
import { parseSimEvidence } from './sim/simEvidence.ts'
import { recogniseEvidence, verifyEvidence } from './verifyEvidence.ts'
import { parseCertificate, parseCrl, readCertificates } from './x509/certificates.ts'
import { readDerItems } from './x509/der.ts'
import { looksLikeOcspResponse, readOcspResponse } from './x509/ocsp.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  /** A small seeded generator, so a failure names an input that can be replayed. */
  function random(seed: number) {
    let state = seed >>> 0 || 1
    const next = () => {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      return (state >>> 0) / 2 ** 32
    }
    return { next, below: (n: number) => Math.floor(next() * n) }
  }

  type Random = ReturnType<typeof random>

  /** One to four mutations: bit flips, random bytes, extreme length fields, truncation, insertion. */
  function mutate(input: Uint8Array, rng: Random): Uint8Array {
    let out = Uint8Array.from(input)
    const count = 1 + rng.below(4)
    for (let i = 0; i < count; i++) {
      const at = rng.below(Math.max(1, out.length))
      switch (rng.below(6)) {
        case 0:
          out[at] = (out[at] ?? 0) ^ (1 << rng.below(8))
          break
        case 1:
          out[at] = rng.below(256)
          break
        case 2: {
          const extreme = [0x00, 0xff, 0x7f, 0x80][rng.below(4)] as number
          out.fill(extreme, at, Math.min(out.length, at + 1 + rng.below(4)))
          break
        }
        case 3:
          out = out.subarray(0, at)
          break
        case 4: {
          const inserted = Uint8Array.from({ length: 1 + rng.below(16) }, () => rng.below(256))
          const grown = new Uint8Array(out.length + inserted.length)
          grown.set(out.subarray(0, at))
          grown.set(inserted, at)
          grown.set(out.subarray(at), at + inserted.length)
          out = grown
          break
        }
        default:
          out = out.subarray(rng.below(Math.max(1, Math.min(out.length, 64))))
      }
    }
    return out
  }

  function randomBytes(rng: Random, maxLength: number): Uint8Array {
    return Uint8Array.from({ length: rng.below(maxLength) }, () => rng.below(256))
  }

  /** Runs `parse`; it may refuse the input only with a BOCC error (never a TypeError, RangeError…). */
  function expectNoCrash(parse: () => unknown, label: string): void {
    try {
      parse()
    } catch (error) {
      if (!(error instanceof BoccError))
        assert.fail(
          `${label}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        )
    }
  }

  const quotes = [
    'phala-dcap-qvl/tdx_quote',
    'phala-dcap-qvl/sgx_quote',
    'google-go-tdx-guest/quote_v5_sample.dat',
  ].map(evidenceVector)
  const reports = ['virtee-sev/report_milan.bin', 'tinfoil-js/sev_snp_report_genoa.bin'].map(vector)
  const decoder = new TextDecoder()
  const tdxCollateral = readIntelCollateral(collateralSet('P-TDX'))
  const jsonDocuments = [
    ...tdxCollateral.tcbInfos.map((document) => document.body),
    ...tdxCollateral.qeIdentities.map((document) => document.body),
    decoder.decode(vector('tinfoilsh-verifier/tcb_info_90c06f000000.json')),
  ]

  describe('parsers under 105,000+ random and mutated inputs', () => {
    let inputs = 0

    it('Intel quotes: 50,000 mutated quotes, and their kind recognition', () => {
      const rng = random(1)
      for (let i = 0; i < 50_000; i++) {
        const input = mutate(quotes[i % quotes.length] as Uint8Array, rng)
        expectNoCrash(() => parseIntelQuote(input), `quote #${i}`)
        recogniseEvidence(input)
        inputs++
      }
    })

    it('SEV-SNP reports: 20,000 mutated reports', () => {
      const rng = random(2)
      for (let i = 0; i < 20_000; i++) {
        const input = mutate(reports[i % reports.length] as Uint8Array, rng)
        expectNoCrash(() => parseSevSnpReport(input), `report #${i}`)
        inputs++
      }
    })

    it('NVIDIA SPDM measurements: 5,000 mutated GPU evidences', () => {
      const rng = random(7)
      const gpu = evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt')
      for (let i = 0; i < 5_000; i++) {
        const input = mutate(gpu, rng)
        expectNoCrash(() => parseSpdmMeasurements(input), `GPU evidence #${i}`)
        recogniseEvidence(input)
        inputs++
      }
    })

    it('NVIDIA opaque data: 5,000 mutated opaque fields', () => {
      const rng = random(11)
      const { opaqueData } = parseSpdmMeasurements(
        evidenceVector('nvidia-nvtrust/hopperAttestationReport.txt'),
      )
      for (let i = 0; i < 5_000; i++) {
        const input = mutate(opaqueData, rng)
        expectNoCrash(() => readGpuOpaqueInfo(input), `opaque data #${i}`)
        inputs++
      }
    })

    it('TDX event logs: 1,000 mutated CCELs (the first 18 KiB, where the events are)', async () => {
      const rng = random(12)
      const log = vector('google-go-tdx-guest/ccel_data.dat').subarray(0, 18_200)
      for (let i = 0; i < 1_000; i++) {
        const input = mutate(log, rng)
        await replayEventLog(input).catch((error: unknown) => {
          if (!(error instanceof BoccError)) assert.fail(`event log #${i}: ${String(error)}`)
        })
        inputs++
      }
    })

    it('RIMs and OCSP responses: 300 mutated RIMs and 1,000 random OCSP-looking inputs', async () => {
      const rng = random(13)
      const rim = vector('nvidia-nvtrust/Driver_RIM_test_no_gpu.swidtag')
      const [root] = readCertificates(new TextEncoder().encode(nvidiaRimRootPem))
      const at = new Date('2024-06-01T00:00:00Z')
      for (let i = 0; i < 300; i++) {
        const input = mutate(rim, rng)
        await readRim(input, root as NonNullable<typeof root>, at).catch((error: unknown) => {
          if (!(error instanceof BoccError)) assert.fail(`RIM #${i}: ${String(error)}`)
        })
        inputs++
      }
      for (let i = 0; i < 1_000; i++) {
        const input = Uint8Array.of(
          0x30,
          0x82,
          0x01,
          0x00,
          0x0a,
          0x01,
          0x00,
          0xa0,
          ...randomBytes(rng, 300),
        )
        looksLikeOcspResponse(input)
        await readOcspResponse(input).catch((error: unknown) => {
          if (!(error instanceof BoccError)) assert.fail(`OCSP #${i}: ${String(error)}`)
        })
        inputs++
      }
    })

    it('every evidence parser: 15,000 random byte strings and hex texts', () => {
      const rng = random(3)
      for (let i = 0; i < 15_000; i++) {
        let input = randomBytes(rng, 1400)
        if (i % 3 === 0)
          input = new TextEncoder().encode(
            `0x${Array.from(input, (b) => b.toString(16).padStart(2, '0')).join('')}`,
          )
        if (i % 5 === 0) input.set(new TextEncoder().encode('BOCCSIM1').subarray(0, input.length))
        const bytes = readEvidence(input)
        recogniseEvidence(bytes)
        expectNoCrash(() => parseIntelQuote(bytes), `random #${i} as a quote`)
        expectNoCrash(() => parseSevSnpReport(bytes), `random #${i} as a report`)
        expectNoCrash(() => parseSimEvidence(bytes), `random #${i} as sim evidence`)
        expectNoCrash(() => parseSpdmMeasurements(bytes), `random #${i} as GPU evidence`)
        expectNoCrash(() => readDerItems(bytes), `random #${i} as DER`)
        inputs++
      }
    })

    it('collateral JSON: 12,000 mutated TCB infos and QE identities, and policies', () => {
      const rng = random(4)
      for (let i = 0; i < 12_000; i++) {
        const text = decoder.decode(
          mutate(new TextEncoder().encode(jsonDocuments[i % jsonDocuments.length] as string), rng),
        )
        expectNoCrash(() => parseTcbInfo(text), `TCB info #${i}`)
        expectNoCrash(() => parseQeIdentity(text), `QE identity #${i}`)
        topLevelMemberTexts(text)
        expectNoCrash(() => parsePolicy(safeJson(text)), `policy #${i}`)
        inputs++
      }
    })

    it('collateral files: 2,000 mutated CRLs and certificates, recognised by content', () => {
      const rng = random(5)
      const files = [
        vector('tinfoilsh-verifier/root_ca.crl'),
        vector('tinfoilsh-verifier/pck_crl_processor.crl'),
        vector('virtee-sev/vcek_milan.der'),
        vector('tinfoilsh-verifier/qe_identity.json'),
      ]
      for (let i = 0; i < 2_000; i++) {
        const input = mutate(files[i % files.length] as Uint8Array, rng)
        parseCrl(input)
        parseCertificate(input)
        expectNoCrash(() => readIntelCollateral([input]), `collateral file #${i}`)
        inputs++
      }
    })

    it('full verification: 1,500 mutated quotes and reports give verdicts, never exceptions', async () => {
      const rng = random(6)
      const at = new Date('2025-06-20T00:00:00Z')
      for (let i = 0; i < 1_500; i++) {
        if (i % 3 === 2) {
          const report = mutate(reports[0] as Uint8Array, rng)
          const verdict = await verifySevSnpReport({
            report,
            certificates: [vector('virtee-sev/vcek_milan.der')],
            at,
          })
          assert.equal(typeof verdict.ok, 'boolean')
        } else {
          const quote = mutate(quotes[0] as Uint8Array, rng)
          const verdict = await verifyIntelQuote({ quote, collateral: tdxCollateral, at })
          assert.equal(typeof verdict.ok, 'boolean')
          await verifyEvidence(quote, { at, collateral: tdxCollateral }).catch((error) => {
            if (!(error instanceof BoccError)) throw error
          })
        }
        inputs++
      }
      assert.ok(inputs >= 105_000, `${inputs} inputs`)
    })
  })

  function safeJson(text: string): unknown {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
})
