import { bytesToHex, type Hex } from 'viem'
import { parseSevSnpReport } from '../../attestation/amd/report.ts'
import { parseIntelQuote } from '../../attestation/intel/quote.ts'
import { runtimeMeasurementOf } from '../../protocol/runtimeMeasurement.ts'
import { requestTsmReport, type TsmFileSystem, TsmReportError, type TsmTee } from './configfsTsm.ts'
import type { TeeBackend } from './teeBackend.ts'

/**
 * A hardware TEE (Intel TDX or AMD SEV-SNP) through configfs-tsm. Its measurement is what its
 * evidence says (MRTD and RTMR0–3, or MEASUREMENT, digested as the chain holds it): the runtime's
 * code is in it because the VM image that boots the runtime is measured (docs/operations.md).
 */
export async function createHardwareBackend(parameters: {
  /** Which TEE to expect; without it, whichever the configfs-tsm provider names. */
  kind?: TsmTee
  root?: string
  fs?: TsmFileSystem
}): Promise<TeeBackend> {
  const request = (reportData: Hex) =>
    requestTsmReport({
      reportData,
      ...(parameters.root ? { root: parameters.root } : {}),
      ...(parameters.fs ? { fs: parameters.fs } : {}),
      ...(parameters.kind ? { expected: parameters.kind } : {}),
    })
  // One report at start tells the TEE's kind and the measurement this runtime runs under.
  const first = await request(`0x${'00'.repeat(64)}`)
  const measurement = runtimeMeasurementOf({
    tee: first.tee,
    measurement: measurementFields(first.tee, first.outblob),
  })
  if (!measurement) throw new TsmReportError(`the ${first.tee} report has no measurement`)
  return {
    kind: first.tee,
    measurement,
    async getEvidence(reportData) {
      const report = await request(reportData)
      if (report.tee !== first.tee) throw new TsmReportError('the TSM provider changed')
      return report.outblob
    },
  }
}

/** The identity fields of a report, named as the verifiers' verdicts name them. */
export function measurementFields(tee: TsmTee, outblob: Uint8Array): Record<string, Hex> {
  if (tee === 'sev-snp') return { measurement: bytesToHex(parseSevSnpReport(outblob).measurement) }
  const quote = parseIntelQuote(outblob)
  if (quote.body.kind === 'sgx') throw new TsmReportError('the TSM returned an SGX quote, not TDX')
  const report = quote.body.report
  return {
    mrtd: bytesToHex(report.mrTd),
    ...Object.fromEntries(report.rtmrs.map((rtmr, i) => [`rtmr${i}`, bytesToHex(rtmr)])),
  }
}
