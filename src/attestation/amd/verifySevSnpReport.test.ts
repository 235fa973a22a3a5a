import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { vector, vectorsMissing } from '../../../test/attestationVectors.ts'
import { createFakeAmdPki, encodeSnpTcb } from '../../../test/fakeAmdPki.ts'
import { CheckList } from '../checkList.ts'
import { readCertificates } from '../x509/certificates.ts'
import { chainToPinnedArk, sevSnpCheckTiers, verifySevSnpReport } from './verifySevSnpReport.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  const cases = [
    {
      report: 'google-go-sev-guest/attestation.bin',
      certs: ['google-go-sev-guest/vcek.testcer', 'google-go-sev-guest/ask_ark_milan.pem'],
      at: '2024-01-01T00:00:00Z',
      productLine: 'Milan',
      debug: true,
      version: 2,
    },
    {
      report: 'virtee-sev/report_milan.bin',
      certs: ['virtee-sev/vcek_milan.der', 'google-go-sev-guest/ask_ark_milan.pem'],
      at: '2024-01-01T00:00:00Z',
      productLine: 'Milan',
      debug: false,
      version: 2,
    },
    {
      report: 'tinfoil-js/sev_snp_report_genoa.bin',
      certs: ['tinfoil-js/vcek_genoa.der', 'google-go-sev-guest/ask_ark_genoa.pem'],
      at: '2026-02-01T00:00:00Z',
      productLine: 'Genoa',
      debug: false,
      version: 3,
    },
  ]

  describe('verifySevSnpReport on the MANIFEST.md vectors', () => {
    for (const testCase of cases) {
      it(`${testCase.report}: authentic, ${testCase.productLine}, v${testCase.version}, debug ${testCase.debug}`, async () => {
        const verdict = await verifySevSnpReport({
          report: vector(testCase.report),
          certificates: testCase.certs.map(vector),
          at: new Date(testCase.at),
        })
        assert.equal(verdict.error, undefined)
        assert.equal(verdict.ok, true)
        assert.equal(verdict.tee, 'sev-snp')
        assert.equal(verdict.debug, testCase.debug)
        assert.deepEqual(
          verdict.checks.map((check) => [check.name, check.status]),
          [
            ['report structure', 'passed'],
            ['report signature', 'passed'],
            ['certificate chain', 'passed'],
            ['reported tcb', 'passed'],
            ['chip id', 'passed'],
          ],
        )
        assert.match(verdict.checks[0]?.explanation ?? '', new RegExp(`v${testCase.version}`))
        assert.match(
          verdict.checks[2]?.explanation ?? '',
          new RegExp(`ARK-${testCase.productLine}`),
        )
        assert.match(verdict.measurement.measurement ?? '', /^0x[0-9a-f]{96}$/)
      })
    }

    it('verifies with the VCEK alone, through the pinned ASK', async () => {
      const verdict = await verifySevSnpReport({
        report: vector('virtee-sev/report_milan.bin'),
        certificates: [vector('virtee-sev/vcek_milan.der')],
        at: new Date('2024-01-01T00:00:00Z'),
      })
      assert.equal(verdict.ok, true)
    })

    it('binds the Genoa report data (TLS key fingerprint and HPKE key)', async () => {
      const verdict = await verifySevSnpReport({
        report: vector('tinfoil-js/sev_snp_report_genoa.bin'),
        certificates: [vector('tinfoil-js/vcek_genoa.der')],
        at: new Date('2026-02-01T00:00:00Z'),
      })
      assert.equal(verdict.reportData.length, 2 + 128)
    })

    it('fails one second before the VCEK is valid', async () => {
      const verdict = await verifySevSnpReport({
        report: vector('tinfoil-js/sev_snp_report_genoa.bin'),
        certificates: [vector('tinfoil-js/vcek_genoa.der')],
        at: new Date('2026-01-11T16:38:55Z'),
      })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /SEV-VCEK is not valid at/)
    })

    it("rejects another chip's VCEK", async () => {
      const verdict = await verifySevSnpReport({
        report: vector('virtee-sev/report_milan.bin'),
        certificates: [vector('google-go-sev-guest/vcek.testcer')],
        at: new Date('2024-01-01T00:00:00Z'),
      })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /signature does not verify/)
    })

    it('rejects a report without any VCEK', async () => {
      const verdict = await verifySevSnpReport({
        report: vector('virtee-sev/report_milan.bin'),
        certificates: [],
        at: new Date('2024-01-01T00:00:00Z'),
      })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /No SEV-VCEK certificate/)
    })

    it('rejects a VCEK chained to the wrong product line', async () => {
      const report = Uint8Array.from(vector('tinfoil-js/sev_snp_report_genoa.bin'))
      const verdict = await verifySevSnpReport({
        report,
        certificates: [
          vector('tinfoil-js/vcek_genoa.der'),
          vector('google-go-sev-guest/ask_ark_milan.pem'),
        ],
        at: new Date('2026-02-01T00:00:00Z'),
      })
      // The Milan ASK is ignored (wrong issuer); the pinned Genoa chain still applies.
      assert.equal(verdict.ok, true)
    })

    it('chains the Turin VCEK to the pinned ARK-Turin', async () => {
      const [vcek] = readCertificates(vector('virtee-sev/vcek_turin.der'))
      assert.ok(vcek)
      const chain = await chainToPinnedArk(
        vcek,
        [],
        new Date('2026-01-01T00:00:00Z'),
        new CheckList(sevSnpCheckTiers(0)),
      )
      assert.equal(chain.productLine, 'Turin')
    })

    for (const offset of [0x08, 0x50, 0x90, 0x180, 0x1a0, 0x2a0, 0x2e8]) {
      it(`rejects a flipped bit at offset 0x${offset.toString(16)}`, async () => {
        const report = Uint8Array.from(vector('virtee-sev/report_milan.bin'))
        report[offset] = (report[offset] as number) ^ 0x01
        const verdict = await verifySevSnpReport({
          report,
          certificates: [vector('virtee-sev/vcek_milan.der')],
          at: new Date('2024-01-01T00:00:00Z'),
        })
        assert.equal(verdict.ok, false)
        assert.match(verdict.error ?? '', /signature does not verify/)
      })
    }

    it('rejects a truncated report with a clear message', async () => {
      const verdict = await verifySevSnpReport({
        report: vector('virtee-sev/report_milan.bin').subarray(0, 1000),
        certificates: [],
        at: new Date(),
      })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /SEV-SNP report is truncated/)
    })
  })

  describe('verifySevSnpReport under a stand-in AMD hierarchy', () => {
    const template = vector('tinfoil-js/sev_snp_report_genoa.bin')
    const at = new Date('2026-06-01T00:00:00Z')
    const window = {
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    }
    const turinTcb = { fmc: 1, bootloader: 2, tee: 3, snp: 4, microcode: 5 }
    const chipId = Uint8Array.from({ length: 64 }, (_, i) => (i < 8 ? i + 1 : 0))

    it('verifies a Turin VLEK-signed report, reading the Turin TCB layout', async () => {
      const pki = await createFakeAmdPki({
        productLine: 'Turin',
        signer: 'VLEK',
        tcb: turinTcb,
        ...window,
      })
      const report = await pki.signReport(template, (_, bytes) =>
        bytes.set(encodeSnpTcb(turinTcb, 'Turin'), 0x180),
      )
      const verdict = await verifySevSnpReport({
        report,
        certificates: [pki.leafDer],
        at,
        trustAnchors: pki.trustAnchors,
      })
      assert.equal(verdict.error, undefined)
      assert.deepEqual(verdict.tcb, turinTcb)
      assert.deepEqual(
        verdict.checks.map((check) => check.name),
        ['report structure', 'report signature', 'certificate chain', 'reported tcb'],
      )
      assert.match(
        verdict.checks[2]?.explanation ?? '',
        /SEV-VLEK ← SEV-VLEK-Turin ← pinned ARK-Turin/,
      )
    })

    it('the same report is refused under the real pinned ARKs', async () => {
      const pki = await createFakeAmdPki({
        productLine: 'Turin',
        signer: 'VLEK',
        tcb: turinTcb,
        ...window,
      })
      const report = await pki.signReport(template, (_, bytes) =>
        bytes.set(encodeSnpTcb(turinTcb, 'Turin'), 0x180),
      )
      const verdict = await verifySevSnpReport({ report, certificates: [pki.leafDer], at })
      assert.match(verdict.error ?? '', /does not chain to the pinned ARK/)
    })

    it('refuses a reported TCB other than the one the certificate was issued for', async () => {
      const pki = await createFakeAmdPki({
        productLine: 'Turin',
        signer: 'VLEK',
        tcb: turinTcb,
        ...window,
      })
      const report = await pki.signReport(template, (_, bytes) =>
        bytes.set(encodeSnpTcb({ ...turinTcb, snp: 3 }, 'Turin'), 0x180),
      )
      const verdict = await verifySevSnpReport({
        report,
        certificates: [pki.leafDer],
        at,
        trustAnchors: pki.trustAnchors,
      })
      assert.match(verdict.error ?? '', /differs from the SEV-VLEK's TCB .* in snp/)
    })

    it('checks a Turin VCEK hwID (8 bytes) against CHIP_ID, and refuses another chip', async () => {
      const pki = await createFakeAmdPki({
        productLine: 'Turin',
        signer: 'VCEK',
        tcb: turinTcb,
        hwId: chipId.subarray(0, 8),
        ...window,
      })
      const sign = (chip: Uint8Array) =>
        pki.signReport(template, (_, bytes) => {
          bytes.set(encodeSnpTcb(turinTcb, 'Turin'), 0x180)
          bytes.set(chip, 0x1a0)
        })
      const good = await verifySevSnpReport({
        report: await sign(chipId),
        certificates: [pki.leafDer],
        at,
        trustAnchors: pki.trustAnchors,
      })
      assert.equal(good.error, undefined)
      const otherChip = Uint8Array.from(chipId)
      otherChip[3] = 0xee
      const bad = await verifySevSnpReport({
        report: await sign(otherChip),
        certificates: [pki.leafDer],
        at,
        trustAnchors: pki.trustAnchors,
      })
      assert.match(bad.error ?? '', /CHIP_ID .* is not the VCEK's hwID/)
    })

    it('refuses a report that claims VLEK signing when only a VCEK is given', async () => {
      const pki = await createFakeAmdPki({
        productLine: 'Genoa',
        signer: 'VCEK',
        tcb: { bootloader: 10, tee: 0, snp: 23, microcode: 84 },
        ...window,
      })
      const report = await pki.signReport(template, (view) => view.setUint32(0x48, 1 << 2, true))
      const verdict = await verifySevSnpReport({
        report,
        certificates: [pki.leafDer],
        at,
        trustAnchors: pki.trustAnchors,
      })
      assert.match(verdict.error ?? '', /No SEV-VLEK certificate/)
    })
  })

  describe('SEV-SNP validity windows of MANIFEST.md (the VCEK validity), to the second', () => {
    const windows = [
      {
        report: 'google-go-sev-guest/attestation.bin',
        vcek: 'google-go-sev-guest/vcek.testcer',
        from: '2022-09-24T00:55:28Z',
        to: '2029-09-24T00:55:28Z',
      },
      {
        report: 'virtee-sev/report_milan.bin',
        vcek: 'virtee-sev/vcek_milan.der',
        from: '2023-04-03T19:23:43Z',
        to: '2030-04-03T19:23:43Z',
      },
      {
        report: 'tinfoil-js/sev_snp_report_genoa.bin',
        vcek: 'tinfoil-js/vcek_genoa.der',
        from: '2026-01-11T16:38:56Z',
        to: '2033-01-11T16:38:56Z',
      },
    ]
    for (const window of windows) {
      it(`${window.report}: valid from ${window.from} to ${window.to}, not one second outside`, async () => {
        const verify = (at: number) =>
          verifySevSnpReport({
            report: vector(window.report),
            certificates: [vector(window.vcek)],
            at: new Date(at),
          })
        const from = Date.parse(window.from)
        const to = Date.parse(window.to)
        assert.equal((await verify(from)).ok, true)
        assert.equal((await verify(to)).ok, true)
        assert.match((await verify(from - 1000)).error ?? '', /SEV-VCEK is not valid at/)
        assert.match((await verify(to + 1000)).error ?? '', /SEV-VCEK is not valid at/)
      })
    }
  })

  describe('SEV-SNP with an ARK CRL (AMD KDS /crl), under a stand-in AMD hierarchy', () => {
    const template = vector('tinfoil-js/sev_snp_report_genoa.bin')
    const at = new Date('2026-06-01T00:00:00Z')
    const window = {
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
    }
    const tcb = { bootloader: 10, tee: 0, snp: 23, microcode: 84 }

    async function setUp() {
      const pki = await createFakeAmdPki({ productLine: 'Genoa', signer: 'VLEK', tcb, ...window })
      const report = await pki.signReport(template, (_, bytes) =>
        bytes.set(encodeSnpTcb(tcb, 'Genoa'), 0x180),
      )
      const verify = (extra: Uint8Array[]) =>
        verifySevSnpReport({
          report,
          certificates: [pki.leafDer, ...extra],
          at,
          trustAnchors: pki.trustAnchors,
        })
      return { pki, verify }
    }

    it('says when no CRL was given, checks a current CRL, and refuses a revoked ASVK', async () => {
      const { pki, verify } = await setUp()
      assert.match(
        (await verify([])).checks[2]?.explanation ?? '',
        /no ARK-Genoa CRL given, so SEV-VLEK-Genoa revocation was not checked/,
      )
      const clean = await pki.issueArkCrl(['7777'], window.notBefore, window.notAfter)
      const cleanVerdict = await verify([clean])
      assert.equal(cleanVerdict.ok, true, cleanVerdict.error)
      assert.match(
        cleanVerdict.checks[2]?.explanation ?? '',
        /SEV-VLEK-Genoa not revoked by the current ARK-Genoa CRL/,
      )
      const revoking = await pki.issueArkCrl(
        ['7777', pki.intermediateSerial],
        window.notBefore,
        window.notAfter,
      )
      assert.match(
        (await verify([revoking])).error ?? '',
        /SEV-VLEK-Genoa \(serial 02\) is revoked by the ARK-Genoa CRL/,
      )
    })

    it('refuses an expired CRL and a CRL the ARK did not sign', async () => {
      const { pki, verify } = await setUp()
      const expired = await pki.issueArkCrl([], window.notBefore, new Date('2026-05-01T00:00:00Z'))
      assert.match((await verify([expired])).error ?? '', /ARK-Genoa CRL is not current/)
      const other = await createFakeAmdPki({ productLine: 'Genoa', signer: 'VLEK', tcb, ...window })
      const foreign = await other.issueArkCrl([], window.notBefore, window.notAfter)
      assert.match((await verify([foreign])).error ?? '', /CRL given does not verify with the ARK/)
    })

    it('takes the newest current ARK CRL, whatever order the files come in', async () => {
      const { pki, verify } = await setUp()
      const older = await pki.issueArkCrl([], new Date('2026-05-01T00:00:00Z'), window.notAfter)
      const newer = await pki.issueArkCrl(
        [pki.intermediateSerial],
        new Date('2026-05-20T00:00:00Z'),
        window.notAfter,
      )
      for (const files of [
        [older, newer],
        [newer, older],
      ])
        assert.match((await verify(files)).error ?? '', /revoked by the ARK-Genoa CRL/)
    })

    it('fails closed on a CRL it cannot read, instead of treating it as absent', async () => {
      const { verify } = await setUp()
      const unreadable = new TextEncoder().encode(
        `-----BEGIN X509 CRL-----\n${btoa('not a CRL at all, but labelled one')}\n-----END X509 CRL-----\n`,
      )
      const verdict = await verify([unreadable])
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /X509 CRL block that cannot be read/)
      const junk = await verify([new Uint8Array(4096).fill(0x30)])
      assert.match(junk.error ?? '', /neither a certificate nor a CRL/)
    })

    it('refuses a Turin VCEK that lacks the FMC SPL: the reported FMC would go unchecked', async () => {
      const chipId = Uint8Array.from({ length: 64 }, (_, i) => (i < 8 ? i + 1 : 0))
      const tcbWithoutFmc = { bootloader: 2, tee: 3, snp: 4, microcode: 5 }
      const pki = await createFakeAmdPki({
        productLine: 'Turin',
        signer: 'VCEK',
        tcb: tcbWithoutFmc,
        hwId: chipId.subarray(0, 8),
        ...window,
      })
      const report = await pki.signReport(template, (view, bytes) => {
        bytes.set(encodeSnpTcb({ ...tcbWithoutFmc, fmc: 9 }, 'Turin'), 0x180)
        bytes.set(chipId, 0x1a0)
        view.setUint32(0x48, 0, true)
      })
      const verdict = await verifySevSnpReport({
        report,
        certificates: [pki.leafDer],
        at,
        trustAnchors: pki.trustAnchors,
      })
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /lacks the TCB extensions fmc/)
    })
  })
})
