import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { collateralSet, vector, vectorsMissing } from '../../../test/attestationVectors.ts'
import { createFakeIntelPki, type FakeIntelPki } from '../../../test/fakeIntelPki.ts'
import { toHex } from '../bytes.ts'
import { applyPolicy, productionPolicy } from '../policy.ts'
import { verifyEvidence } from '../verifyEvidence.ts'
import { readIntelCollateral } from './collateral.ts'
import { eventLogBytes, replayEventLog } from './eventLog.ts'
import { parseIntelQuote } from './quote.ts'
import { verifyIntelQuote } from './verifyIntelQuote.ts'

describe('with the real vectors of MANIFEST.md', { skip: vectorsMissing }, async () => {
  // The CCEL data and ACPI table come from the same GCE COS VM as this quote.
  const log = vector('google-go-tdx-guest/ccel_data.dat')
  const table = vector('google-go-tdx-guest/ccel_table.dat')
  const cosQuote = parseIntelQuote(vector('google-go-tdx-guest/cos-113-tdx-quote.dat'))
  if (cosQuote.body.kind === 'sgx') throw new Error('cos-113 is a TDX quote')
  const cosRtmrs = cosQuote.body.report.rtmrs.map(toHex)

  describe('replayEventLog on the real CCEL of a GCE TD', () => {
    it('replays RTMR0–3 to exactly the values of that TD’s quote', async () => {
      const replayed = await replayEventLog(eventLogBytes([log]))
      assert.deepEqual(replayed.rtmrs, cosRtmrs)
      assert.equal(replayed.events.length, 43)
      assert.deepEqual([...new Set(replayed.events.map((event) => event.mr))].sort(), [
        'rtmr0',
        'rtmr1',
        'rtmr2',
      ])
    })

    it('reads the log with its ACPI table, beside it or in front of it', async () => {
      const joined = new Uint8Array(table.length + log.length)
      joined.set(table)
      joined.set(log, table.length)
      for (const files of [[table, log], [log, table], [joined]])
        assert.deepEqual((await replayEventLog(eventLogBytes(files))).rtmrs, cosRtmrs)
    })

    it('decodes text events and says which texts are what was measured (the kernel command line)', async () => {
      const { events } = await replayEventLog(log)
      const commandLine = events.find((event) => event.text?.startsWith('kernel_cmdline: '))
      assert.ok(commandLine)
      assert.equal(commandLine.mr, 'rtmr2')
      assert.equal(commandLine.type, 'EV_IPL')
      assert.equal(commandLine.dataIsMeasured, true)
      assert.match(commandLine.text ?? '', /init=\/usr\/lib\/systemd\/systemd/)
      const action = events.find((event) => event.type === 'EV_EFI_ACTION')
      assert.equal(action?.text, 'Calling EFI Application from Boot Option')
      // A file name logged by shim is not what was measured (the file's contents were).
      assert.equal(events.find((event) => event.text === 'MokList')?.dataIsMeasured, false)
    })

    it('refuses a truncated log, and a log without the Spec ID event, with one line', async () => {
      await assert.rejects(replayEventLog(log.subarray(0, 5000)), /TDX event log is truncated/)
      await assert.rejects(replayEventLog(new Uint8Array(64)), /Spec ID event/)
    })

    it('does work linear in the log: a 4 MiB log of erased area ends at its first header', async () => {
      const erased = new Uint8Array(4 * 1024 * 1024).fill(0xff)
      erased.set(log.subarray(0, 18101))
      assert.deepEqual((await replayEventLog(erased)).rtmrs, cosRtmrs)
      assert.throws(() => eventLogBytes([new Uint8Array(4 * 1024 * 1024 + 1)]), /at most/)
    })
  })

  describe('event log replay in a verification (the TD’s RTMRs in a quote re-signed under a stand-in root)', () => {
    const at = new Date('2025-06-20T00:00:00Z')
    const rtmrsOffset = 48 + 16 + 48 + 48 + 8 + 8 + 8 + 48 * 4
    let pki: FakeIntelPki
    before(async () => {
      pki = await createFakeIntelPki({
        quote: vector('phala-dcap-qvl/tdx_quote'),
        collateral: readIntelCollateral(collateralSet('P-TDX')),
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2026-01-01T00:00:00Z'),
        editSignedBytes: (bytes) => {
          cosRtmrs.forEach((rtmr, index) => {
            bytes.set(Uint8Array.from(Buffer.from(rtmr.slice(2), 'hex')), rtmrsOffset + 48 * index)
          })
        },
      })
    })
    const verify = (eventLog?: Uint8Array) =>
      verifyIntelQuote({
        quote: pki.quote,
        collateral: pki.collateral,
        at,
        rootCa: pki.root,
        ...(eventLog ? { eventLog } : {}),
      })

    it('passes when the log replays to the quote’s RTMRs, and reports the events', async () => {
      const verdict = await verify(log)
      assert.equal(verdict.ok, true, verdict.error)
      const replay = verdict.checks.find((check) => check.name === 'event log replay')
      assert.equal(replay?.status, 'passed')
      assert.equal(replay?.tier, 'supply chain and transparency')
      assert.equal(verdict.events?.length, 43)
    })

    it('says the check does not apply without a log', async () => {
      const verdict = await verify()
      assert.equal(verdict.ok, true)
      const replay = verdict.checks.find((check) => check.name === 'event log replay')
      assert.equal(replay?.status, 'not-applicable')
    })

    it('fails on a log whose event digest was changed, naming the register', async () => {
      const tampered = Uint8Array.from(log)
      tampered[0x50] = (tampered[0x50] as number) ^ 1 // inside the first event's SHA-384 digest
      const verdict = await verify(tampered)
      assert.equal(verdict.ok, false)
      assert.match(verdict.error ?? '', /replays RTMR0 to .* but the quote holds/)
    })

    it('lets a policy pin events by digest or by measured text, and refuses unmeasured text', async () => {
      const verdict = await verify(log)
      const commandLine = verdict.events?.find((event) =>
        event.text?.startsWith('kernel_cmdline: '),
      )
      assert.ok(commandLine?.text)
      const policy = { ...productionPolicy, anyMeasurement: true }
      const judged = (requiredEvents: NonNullable<typeof policy.requiredEvents>) =>
        applyPolicy({ verdict, policy: { ...policy, requiredEvents }, at })
      assert.equal(judged([{ mr: 'rtmr2', text: commandLine.text }]).ok, true)
      assert.equal(judged([{ mr: 'rtmr2', digest: commandLine.digest }]).ok, true)
      assert.equal(judged([{ mr: 'rtmr1', digest: commandLine.digest }]).ok, false)
      assert.equal(judged([{ mr: 'rtmr2', text: 'MokList' }]).ok, false)
      const withoutLog = applyPolicy({
        verdict: await verify(),
        policy: { ...policy, requiredEvents: [{ mr: 'rtmr2', text: commandLine.text }] },
        at,
      })
      assert.match(withoutLog.error ?? '', /no event log was verified/)
    })

    it('reaches verifyEvidence through its eventLog option (files, recognised by content)', async () => {
      const verdict = await verifyEvidence(vector('google-go-tdx-guest/cos-113-tdx-quote.dat'), {
        at,
        collateral: [],
        eventLog: [table, log],
      })
      // No collateral for this FMSPC ships with the vectors: verification stops before the replay.
      assert.equal(
        verdict.checks.find((check) => check.name === 'event log replay')?.status,
        'not-run',
      )
    })
  })
})
