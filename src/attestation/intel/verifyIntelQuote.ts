import { shortMessageOf } from '../../errors.ts'
import {
  bytesEqual,
  concatBytes,
  isAllZero,
  sha256,
  stringToUtf8,
  toHex,
  toPlainHex,
} from '../bytes.ts'
import { CheckList, unreadableEvidenceVerdict } from '../checkList.ts'
import type { CheckTier } from '../checks.ts'
import { AttestationCheckError } from '../errors.ts'
import type { EvidenceVerdict, TcbStatus } from '../types.ts'
import {
  commonNameOf,
  crlListsCertificate,
  publicKeyOf,
  readCertificates,
  type X509Certificate,
} from '../x509/certificates.ts'
import { importP256PublicKey, isValidEcdsaSignature } from '../x509/signatures.ts'
import type { IntelCollateral } from './collateral.ts'
import { evaluateTcbStatus } from './evaluateTcbStatus.ts'
import { replayEventLog } from './eventLog.ts'
import { verifyQeReportAgainstIdentity, verifyTdxModule } from './matchIdentities.ts'
import { type IntelQuote, intelQuoteConstants, isDebugQuote, parseIntelQuote } from './quote.ts'
import { intelSgxRootCaPem } from './roots.ts'
import { selectQeIdentity, selectTcbInfo } from './selectSignedCollateral.ts'
import {
  crlWindow,
  currentCrlOf,
  readPckExtensionsOrFail,
  verifyPckChain,
} from './verifyPckChain.ts'

export type VerifyIntelQuoteParameters = {
  /** The quote bytes (anything after the quote's own length is ignored as padding). */
  quote: Uint8Array
  collateral: IntelCollateral
  /** The time of verification: every certificate, CRL, TCB info and QE identity must be valid then. */
  at: Date
  /** TDX: the CCEL event log data (see `eventLogBytes`), replayed against the quote's RTMRs. */
  eventLog?: Uint8Array
  /**
   * The trust anchor. Defaults to the pinned Intel SGX Root CA; only tests (and Intel
   * pre-production platforms) give another.
   */
  rootCa?: X509Certificate
}

/**
 * Verifies an Intel DCAP quote (SGX v3, SGX/TDX v4, v5) offline against the pinned Intel SGX
 * Root CA and the given collateral, and computes its TCB status and advisories as Intel's
 * Quote Verification Library does. Never throws for bad evidence or collateral: the verdict
 * says which check failed and why.
 */
export async function verifyIntelQuote(
  parameters: VerifyIntelQuoteParameters,
): Promise<EvidenceVerdict> {
  let quote: IntelQuote
  try {
    quote = parseIntelQuote(parameters.quote)
  } catch (error) {
    return unreadableQuoteVerdict(error, parameters.quote[4] === 0 ? 'sgx' : 'tdx')
  }
  const checks = new CheckList(intelCheckTiers(quote.tee))
  const verdict = verdictOf(quote, checks)
  try {
    if (toPlainHex(quote.qeVendorId) !== intelQuoteConstants.intelQeVendorId)
      checks.fail(
        'quote structure',
        `The quote's QE vendor ID ${toPlainHex(quote.qeVendorId)} is not Intel's; only Intel's quoting enclave is supported.`,
      )
    checks.pass(
      'quote structure',
      `Intel ${quote.tee.toUpperCase()} quote v${quote.version}, ${quote.body.kind} body, ${quote.length} bytes`,
    )
    const root = parameters.rootCa ?? intelRootCa()
    const status = await runChecks(
      quote,
      parameters.collateral,
      parameters.at,
      root,
      checks,
      verdict,
    )
    if (quote.tee === 'tdx') await checkEventLog(quote, parameters.eventLog, checks, verdict)
    verdict.ok = status !== 'Revoked'
  } catch (error) {
    if (error instanceof AttestationCheckError) checks.record(error)
    checks.markNotRun()
    verdict.error = error instanceof AttestationCheckError ? error.shortMessage : String(error)
    verdict.ok = false
  }
  return verdict
}

/** Every check of an Intel quote, in order, with its tier ('tdx module' for TDX only). */
export function intelCheckTiers(tee: 'sgx' | 'tdx'): Record<string, CheckTier> {
  const hardware = 'hardware authenticity'
  return {
    'quote structure': hardware,
    'pck certificate chain': hardware,
    'root ca crl': hardware,
    'pck crl': hardware,
    'qe report signature': hardware,
    'attestation key binding': hardware,
    'quote signature': hardware,
    'tcb info': hardware,
    'qe identity': hardware,
    'qe identity match': hardware,
    ...(tee === 'tdx' ? { 'tdx module': hardware } : {}),
    'tcb level': hardware,
    ...(tee === 'tdx' ? { 'event log replay': 'supply chain and transparency' as const } : {}),
  }
}

function unreadableQuoteVerdict(error: unknown, tee: 'sgx' | 'tdx'): EvidenceVerdict {
  return unreadableEvidenceVerdict({
    tee,
    structureCheck: 'quote structure',
    tiers: intelCheckTiers(tee),
    error,
  })
}

function verdictOf(quote: IntelQuote, checks: CheckList): EvidenceVerdict {
  const body = quote.body
  const measurement: EvidenceVerdict['measurement'] =
    body.kind === 'sgx'
      ? {
          mrenclave: toHex(body.report.mrEnclave),
          mrsigner: toHex(body.report.mrSigner),
          attributes: toHex(body.report.attributes),
        }
      : {
          mrtd: toHex(body.report.mrTd),
          rtmr0: toHex(body.report.rtmrs[0]),
          rtmr1: toHex(body.report.rtmrs[1]),
          rtmr2: toHex(body.report.rtmrs[2]),
          rtmr3: toHex(body.report.rtmrs[3]),
          mrconfigid: toHex(body.report.mrConfigId),
          mrowner: toHex(body.report.mrOwner),
          mrownerconfig: toHex(body.report.mrOwnerConfig),
          mrseam: toHex(body.report.mrSeam),
          mrsignerseam: toHex(body.report.mrSignerSeam),
          tdattributes: toHex(body.report.tdAttributes),
          xfam: toHex(body.report.xfam),
          teetcbsvn: toHex(body.report.teeTcbSvn),
          ...(body.report.mrServiceTd ? { mrservicetd: toHex(body.report.mrServiceTd) } : {}),
        }
  return {
    ok: false,
    tee: quote.tee,
    advisoryIds: [],
    debug: isDebugQuote(quote),
    measurement,
    reportData: toHex(body.report.reportData),
    checks: checks.checks,
  }
}

/** Replays the event log, if given, and requires it to reach the quote's RTMR0–3. */
async function checkEventLog(
  quote: IntelQuote,
  log: Uint8Array | undefined,
  checks: CheckList,
  verdict: EvidenceVerdict,
): Promise<void> {
  const name = 'event log replay'
  if (quote.body.kind === 'sgx') return
  if (!log)
    return checks.notApplicable(
      name,
      'no event log was given (--event-log): RTMR0–3 are reported as opaque values',
    )
  let replayed: Awaited<ReturnType<typeof replayEventLog>>
  try {
    replayed = await replayEventLog(log)
  } catch (error) {
    return checks.fail(name, shortMessageOf(error))
  }
  const rtmrs = quote.body.report.rtmrs
  for (const [index, value] of replayed.rtmrs.entries())
    if (value !== toHex(rtmrs[index] as Uint8Array))
      checks.fail(
        name,
        `The event log replays RTMR${index} to ${value.slice(0, 18)}…, but the quote holds ${toHex(rtmrs[index] as Uint8Array).slice(0, 18)}…: the log is not this TD's.`,
      )
  verdict.events = replayed.events
  checks.pass(
    name,
    `${replayed.events.length} events replay to the quote's RTMR0–3 exactly, so each event is as authentic as the quote`,
  )
}

let pinnedRoot: X509Certificate | undefined

function intelRootCa(): X509Certificate {
  pinnedRoot ??= readCertificates(stringToUtf8(intelSgxRootCaPem))[0]
  if (!pinnedRoot) throw new Error('The pinned Intel SGX Root CA does not parse.')
  return pinnedRoot
}

async function runChecks(
  quote: IntelQuote,
  collateral: IntelCollateral,
  at: Date,
  root: X509Certificate,
  checks: CheckList,
  verdict: EvidenceVerdict,
): Promise<TcbStatus> {
  // The quote's own signature depends on no collateral: start it now, beside the chain checks
  // (WebCrypto runs it off the main thread), and read its result where its check comes.
  const quoteSignatureValid = isValidEcdsaSignature(
    importP256PublicKey(quote.attestationKey),
    quote.signature,
    quote.signedBytes,
    'SHA-256',
  )
  const { pck, pckCa } = await verifyPckChain(quote, root, at, checks)
  const pckKey = publicKeyOf(pck)
  const qeReportSignatureValid = isValidEcdsaSignature(
    pckKey,
    quote.qeReportSignature,
    quote.qeReportBytes,
    'SHA-256',
  )

  const rootCrl = await currentCrlOf(root, collateral.crls, at, 'root ca crl')
  if (crlListsCertificate(rootCrl, pckCa))
    checks.fail(
      'root ca crl',
      `The ${commonNameOf(pckCa)} certificate is revoked by the Intel SGX Root CA CRL.`,
    )
  checks.pass(
    'root ca crl',
    `signed by the Intel SGX Root CA, current (${crlWindow(rootCrl)}), ${commonNameOf(pckCa)} not revoked`,
  )
  const pckCrl = await currentCrlOf(pckCa, collateral.crls, at, 'pck crl')
  if (crlListsCertificate(pckCrl, pck))
    checks.fail(
      'pck crl',
      `The PCK certificate (serial ${pck.serialNumber}) is revoked by the ${commonNameOf(pckCa)} CRL.`,
    )
  checks.pass(
    'pck crl',
    `signed by ${commonNameOf(pckCa)}, current (${crlWindow(pckCrl)}), ${pckCrl.entries.length} revoked, PCK certificate not among them`,
  )

  if (!(await qeReportSignatureValid))
    checks.fail(
      'qe report signature',
      'The QE report signature does not verify with the PCK certificate key.',
    )
  checks.pass('qe report signature', 'QE report signed by the PCK key')

  const expectedBinding = await sha256(concatBytes(quote.attestationKey, quote.qeAuthData))
  const qeReportData = quote.qeReport.reportData
  if (
    !bytesEqual(qeReportData.subarray(0, 32), expectedBinding) ||
    !isAllZero(qeReportData.subarray(32))
  )
    checks.fail(
      'attestation key binding',
      'The QE report does not bind the attestation key: REPORTDATA ≠ SHA-256(attestation key ‖ QE authentication data) ‖ zeros.',
    )
  checks.pass(
    'attestation key binding',
    'QE REPORTDATA = SHA-256(attestation key ‖ QE authentication data) ‖ zeros',
  )

  if (!(await quoteSignatureValid))
    checks.fail('quote signature', 'The quote signature does not verify with the attestation key.')
  checks.pass('quote signature', 'header and body signed by the attestation key')

  const pckExtensions = readPckExtensionsOrFail(pck)
  const tcbInfo = await selectTcbInfo(quote, pckExtensions, collateral, root, rootCrl, at, checks)
  const qeIdentity = await selectQeIdentity(quote, collateral, root, rootCrl, at, checks)
  // As Intel's library reports it (tcb_eval_ref_num): the lower of the TCB info's and the QE
  // identity's, so fresh TCB info cannot vouch for a stale QE identity.
  verdict.tcbEvaluationDataNumber = Math.min(
    tcbInfo.tcbEvaluationDataNumber,
    qeIdentity.tcbEvaluationDataNumber,
  )
  verifyQeReportAgainstIdentity(quote, qeIdentity, checks)
  if (quote.tee === 'tdx') verifyTdxModule(quote, tcbInfo, checks)

  const evaluation = evaluateTcbStatus({ quote, pck: pckExtensions, tcbInfo, qeIdentity })
  verdict.status = evaluation.status
  verdict.advisoryIds = evaluation.advisoryIds
  const advisories = evaluation.advisoryIds.length ? ` [${evaluation.advisoryIds.join(', ')}]` : ''
  if (evaluation.status === 'Revoked')
    checks.fail('tcb level', `The platform TCB is Revoked (${evaluation.explanation.join('; ')}).`)
  checks.pass(
    'tcb level',
    `${evaluation.status}${advisories} (${evaluation.explanation.join('; ')})`,
  )
  return evaluation.status
}
