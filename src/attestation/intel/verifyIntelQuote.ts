import {
  bytesEqual,
  concatBytes,
  isAllZero,
  sha256,
  stringToUtf8,
  toHex,
  toPlainHex,
} from '../bytes.ts'
import { CheckList } from '../checks.ts'
import { AttestationCheckError } from '../errors.ts'
import type { EvidenceVerdict, TcbStatus } from '../types.ts'
import {
  crlListsCertificate,
  isCertificateValidAt,
  isCrlCurrentAt,
  isSignedBy,
  publicKeyOf,
  readCertificates,
  type X509Certificate,
  type X509Crl,
} from '../x509/certificates.ts'
import { importP256PublicKey, isValidEcdsaSignature } from '../x509/signatures.ts'
import type { IntelCollateral } from './collateral.ts'
import { evaluateTcbStatus, findTdxModuleIdentity } from './evaluateTcbStatus.ts'
import { type PckExtensions, readPckExtensions } from './pckExtensions.ts'
import { parseQeIdentity, type QeIdentity } from './qeIdentity.ts'
import { type IntelQuote, intelQuoteConstants, isDebugQuote, parseIntelQuote } from './quote.ts'
import { intelSgxRootCaPem } from './roots.ts'
import type { SignedJson } from './signedJson.ts'
import { parseTcbInfo, type TcbInfo } from './tcbInfo.ts'

export type VerifyIntelQuoteParameters = {
  /** The quote bytes (anything after the quote's own length is ignored as padding). */
  quote: Uint8Array
  collateral: IntelCollateral
  /** The time of verification: every certificate, CRL, TCB info and QE identity must be valid then. */
  at: Date
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
  const checks = new CheckList()
  if (toPlainHex(quote.qeVendorId) !== intelQuoteConstants.intelQeVendorId) {
    const detail = `The quote's QE vendor ID ${toPlainHex(quote.qeVendorId)} is not Intel's; only Intel's quoting enclave is supported.`
    return {
      ...unreadableQuoteVerdict(detail, quote.tee),
      checks: [{ name: 'quote structure', ok: false, detail }],
    }
  }
  checks.pass(
    'quote structure',
    `Intel ${quote.tee.toUpperCase()} quote v${quote.version}, ${quote.body.kind} body, ${quote.length} bytes`,
  )
  const verdict = verdictOf(quote, checks)
  try {
    const root = parameters.rootCa ?? intelRootCa()
    const status = await runChecks(
      quote,
      parameters.collateral,
      parameters.at,
      root,
      checks,
      verdict,
    )
    verdict.ok = status !== 'Revoked'
  } catch (error) {
    if (error instanceof AttestationCheckError) checks.record(error)
    verdict.error = error instanceof AttestationCheckError ? error.shortMessage : String(error)
    verdict.ok = false
  }
  return verdict
}

function unreadableQuoteVerdict(error: unknown, tee: 'sgx' | 'tdx'): EvidenceVerdict {
  const message =
    error instanceof Error && 'shortMessage' in error ? String(error.shortMessage) : String(error)
  return {
    ok: false,
    tee,
    advisoryIds: [],
    debug: false,
    measurement: {},
    reportData: '0x',
    checks: [{ name: 'quote structure', ok: false, detail: message }],
    error: message,
  }
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
  const { pck, pckCa } = await verifyPckChain(quote, root, at, checks)

  const rootCrl = await currentCrlOf(root, collateral.crls, at, 'root ca crl')
  if (crlListsCertificate(rootCrl, pckCa))
    checks.fail(
      'root ca crl',
      `The ${commonName(pckCa)} certificate is revoked by the Intel SGX Root CA CRL.`,
    )
  checks.pass(
    'root ca crl',
    `signed by the Intel SGX Root CA, current (${crlWindow(rootCrl)}), ${commonName(pckCa)} not revoked`,
  )
  const pckCrl = await currentCrlOf(pckCa, collateral.crls, at, 'pck crl')
  if (crlListsCertificate(pckCrl, pck))
    checks.fail(
      'pck crl',
      `The PCK certificate (serial ${pck.serialNumber}) is revoked by the ${commonName(pckCa)} CRL.`,
    )
  checks.pass(
    'pck crl',
    `signed by ${commonName(pckCa)}, current (${crlWindow(pckCrl)}), ${pckCrl.entries.length} revoked, PCK certificate not among them`,
  )

  const pckKey = publicKeyOf(pck)
  if (
    !(await isValidEcdsaSignature(pckKey, quote.qeReportSignature, quote.qeReportBytes, 'SHA-256'))
  )
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

  if (
    !(await isValidEcdsaSignature(
      importP256PublicKey(quote.attestationKey),
      quote.signature,
      quote.signedBytes,
      'SHA-256',
    ))
  )
    checks.fail('quote signature', 'The quote signature does not verify with the attestation key.')
  checks.pass('quote signature', 'header and body signed by the attestation key')

  const pckExtensions = readPckExtensionsOrFail(pck)
  const tcbInfo = await selectTcbInfo(quote, pckExtensions, collateral, root, rootCrl, at, checks)
  verdict.tcbEvaluationDataNumber = tcbInfo.tcbEvaluationDataNumber
  const qeIdentity = await selectQeIdentity(quote, collateral, root, rootCrl, at, checks)
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

async function verifyPckChain(
  quote: IntelQuote,
  root: X509Certificate,
  at: Date,
  checks: CheckList,
) {
  const name = 'pck certificate chain'
  const chain = readCertificates(quote.pckCertificateChainPem)
  const [pck, pckCa] = chain
  if (!pck || !pckCa)
    checks.fail(
      name,
      `The quote carries ${chain.length} readable certificates; the PCK chain needs the PCK certificate and its CA.`,
    )
  if (pck.issuer !== pckCa.subject || !(await isSignedBy(pck, pckCa)))
    checks.fail(
      name,
      `The PCK certificate is not signed by the next certificate in the chain (${commonName(pckCa)}).`,
    )
  if (!/^Intel SGX PCK (Platform|Processor) CA$/.test(commonName(pckCa)))
    checks.fail(
      name,
      `The PCK certificate's issuer is "${commonName(pckCa)}", not an Intel SGX PCK Platform or Processor CA.`,
    )
  if (pckCa.issuer !== root.subject || !(await isSignedBy(pckCa, root)))
    checks.fail(name, `${commonName(pckCa)} is not signed by the trusted ${commonName(root)}.`)
  for (const certificate of [pck, pckCa, root])
    if (!isCertificateValidAt(certificate, at))
      checks.fail(
        name,
        `${commonName(certificate)} is not valid at ${at.toISOString()} (${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}).`,
      )
  checks.pass(
    name,
    `PCK certificate ← ${commonName(pckCa)} ← ${commonName(root)}, all valid at ${at.toISOString()}`,
  )
  return { pck, pckCa }
}

function readPckExtensionsOrFail(pck: X509Certificate): PckExtensions {
  try {
    return readPckExtensions(pck)
  } catch (error) {
    throw new AttestationCheckError(
      'pck certificate chain',
      error instanceof Error && 'shortMessage' in error
        ? String(error.shortMessage)
        : String(error),
    )
  }
}

/** The CRL issued and signed by `issuer` that is current at `at`, the most recent if several. */
async function currentCrlOf(
  issuer: X509Certificate,
  crls: X509Crl[],
  at: Date,
  check: string,
): Promise<X509Crl> {
  const signed: X509Crl[] = []
  for (const crl of crls)
    if (crl.issuer === issuer.subject && (await isSignedBy(crl, issuer))) signed.push(crl)
  if (signed.length === 0)
    throw new AttestationCheckError(
      check,
      `The collateral has no CRL signed by ${commonName(issuer)}.`,
    )
  const current = signed
    .filter((crl) => isCrlCurrentAt(crl, at))
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())
  if (!current[0])
    throw new AttestationCheckError(
      check,
      `The ${commonName(issuer)} CRL is not current at ${at.toISOString()} (${signed.map(crlWindow).join('; ')}).`,
    )
  return current[0]
}

function crlWindow(crl: X509Crl): string {
  return `${crl.thisUpdate.toISOString()} to ${crl.nextUpdate?.toISOString() ?? 'no nextUpdate'}`
}

function commonName(certificate: X509Certificate): string {
  return /CN=([^,]+)/.exec(certificate.subject)?.[1] ?? certificate.subject
}

/**
 * The certificate that signed `document`: one from the collateral, signed by the pinned root,
 * valid at `at`, not revoked by the root CRL, whose key verifies the signature over the exact bytes.
 */
async function signerOf(
  document: SignedJson,
  collateral: IntelCollateral,
  root: X509Certificate,
  rootCrl: X509Crl,
  at: Date,
  check: string,
): Promise<X509Certificate> {
  const body = stringToUtf8(document.body)
  let expired: X509Certificate | undefined
  for (const candidate of collateral.certificates) {
    if (candidate.issuer !== root.subject || commonName(candidate) !== 'Intel SGX TCB Signing')
      continue
    if (!(await isValidEcdsaSignature(publicKeyOf(candidate), document.signature, body, 'SHA-256')))
      continue
    if (!(await isSignedBy(candidate, root))) continue
    if (!isCertificateValidAt(candidate, at)) {
      expired = candidate
      continue
    }
    if (crlListsCertificate(rootCrl, candidate))
      throw new AttestationCheckError(
        check,
        `${commonName(candidate)} (serial ${candidate.serialNumber}) is revoked by the root CA CRL.`,
      )
    return candidate
  }
  if (expired)
    throw new AttestationCheckError(
      check,
      `${commonName(expired)} is not valid at ${at.toISOString()} (${expired.notBefore.toISOString()} to ${expired.notAfter.toISOString()}).`,
    )
  throw new AttestationCheckError(
    check,
    'No Intel SGX TCB Signing certificate in the collateral that chains to the root verifies its signature.',
  )
}

function isCurrentAt(document: { issueDate: Date; nextUpdate: Date }, at: Date): boolean {
  return (
    document.issueDate.getTime() <= at.getTime() && at.getTime() <= document.nextUpdate.getTime()
  )
}

function windowOf(document: { issueDate: Date; nextUpdate: Date }): string {
  return `${document.issueDate.toISOString()} to ${document.nextUpdate.toISOString()}`
}

async function selectTcbInfo(
  quote: IntelQuote,
  pck: PckExtensions,
  collateral: IntelCollateral,
  root: X509Certificate,
  rootCrl: X509Crl,
  at: Date,
  checks: CheckList,
): Promise<TcbInfo> {
  const name = 'tcb info'
  const wantedId = quote.tee === 'tdx' ? 'TDX' : 'SGX'
  const candidates = parsedDocuments(collateral.tcbInfos, parseTcbInfo).filter(
    ({ parsed }) => parsed.id === wantedId && bytesEqual(parsed.fmspc, pck.fmspc),
  )
  if (candidates.length === 0)
    checks.fail(
      name,
      `The collateral has no ${wantedId} TCB info for FMSPC ${toPlainHex(pck.fmspc)}.`,
    )
  const current = candidates
    .filter(({ parsed }) => isCurrentAt(parsed, at))
    .sort((a, b) => b.parsed.tcbEvaluationDataNumber - a.parsed.tcbEvaluationDataNumber)
  const chosen = current[0]
  if (!chosen)
    checks.fail(
      name,
      `The ${wantedId} TCB info for FMSPC ${toPlainHex(pck.fmspc)} is not current at ${at.toISOString()} (${candidates.map(({ parsed }) => windowOf(parsed)).join('; ')}).`,
    )
  const signer = await signerOf(chosen.document, collateral, root, rootCrl, at, name)
  if (!bytesEqual(chosen.parsed.pceId, pck.pceId))
    checks.fail(
      name,
      `The TCB info PCE-ID ${toPlainHex(chosen.parsed.pceId)} differs from the PCK certificate's ${toPlainHex(pck.pceId)}.`,
    )
  checks.pass(
    name,
    `${wantedId} TCB info v${chosen.parsed.version} for FMSPC ${toPlainHex(pck.fmspc)}, evaluation data ${chosen.parsed.tcbEvaluationDataNumber}, current (${windowOf(chosen.parsed)}), signed by ${commonName(signer)}`,
  )
  return chosen.parsed
}

async function selectQeIdentity(
  quote: IntelQuote,
  collateral: IntelCollateral,
  root: X509Certificate,
  rootCrl: X509Crl,
  at: Date,
  checks: CheckList,
): Promise<QeIdentity> {
  const name = 'qe identity'
  const wantedId = quote.tee === 'tdx' ? 'TD_QE' : 'QE'
  const candidates = parsedDocuments(collateral.qeIdentities, parseQeIdentity).filter(
    ({ parsed }) => parsed.id === wantedId,
  )
  if (candidates.length === 0) checks.fail(name, `The collateral has no ${wantedId} identity.`)
  const chosen = candidates
    .filter(({ parsed }) => isCurrentAt(parsed, at))
    .sort((a, b) => b.parsed.tcbEvaluationDataNumber - a.parsed.tcbEvaluationDataNumber)[0]
  if (!chosen)
    checks.fail(
      name,
      `The ${wantedId} identity is not current at ${at.toISOString()} (${candidates.map(({ parsed }) => windowOf(parsed)).join('; ')}).`,
    )
  const signer = await signerOf(chosen.document, collateral, root, rootCrl, at, name)
  checks.pass(
    name,
    `${wantedId} identity, evaluation data ${chosen.parsed.tcbEvaluationDataNumber}, current (${windowOf(chosen.parsed)}), signed by ${commonName(signer)}`,
  )
  return chosen.parsed
}

function parsedDocuments<T>(
  documents: SignedJson[],
  parse: (body: string) => T,
): { document: SignedJson; parsed: T }[] {
  const out: { document: SignedJson; parsed: T }[] = []
  for (const document of documents) {
    try {
      out.push({ document, parsed: parse(document.body) })
    } catch {
      // Unreadable documents cannot apply; if nothing else does, the caller reports what is missing.
    }
  }
  return out
}

function verifyQeReportAgainstIdentity(
  quote: IntelQuote,
  identity: QeIdentity,
  checks: CheckList,
): void {
  const name = 'qe identity match'
  const report = quote.qeReport
  if (!bytesEqual(report.mrSigner, identity.mrSigner))
    checks.fail(
      name,
      `The QE MRSIGNER ${toPlainHex(report.mrSigner)} is not the QE identity's ${toPlainHex(identity.mrSigner)}.`,
    )
  if (report.isvProdId !== identity.isvProdId)
    checks.fail(
      name,
      `The QE ISVPRODID ${report.isvProdId} is not the QE identity's ${identity.isvProdId}.`,
    )
  if (
    (report.miscSelect & identity.miscSelectMask) >>> 0 !==
    (identity.miscSelect & identity.miscSelectMask) >>> 0
  )
    checks.fail(name, 'The QE MISCSELECT does not match the QE identity under its mask.')
  for (let index = 0; index < 16; index++) {
    const mask = identity.attributesMask[index] as number
    if (
      ((report.attributes[index] as number) & mask) !==
      ((identity.attributes[index] as number) & mask)
    )
      checks.fail(name, 'The QE ATTRIBUTES do not match the QE identity under its mask.')
  }
  checks.pass(
    name,
    `QE MRSIGNER, ISVPRODID ${report.isvProdId}, MISCSELECT and ATTRIBUTES match; QE ISVSVN ${report.isvSvn}`,
  )
}

/** The TDX module that produced the report must be Intel's: MRSIGNERSEAM and SEAMATTRIBUTES as the TCB info states. */
function verifyTdxModule(quote: IntelQuote, tcbInfo: TcbInfo, checks: CheckList): void {
  const name = 'tdx module'
  if (quote.body.kind === 'sgx') return
  const report = quote.body.report
  const version = report.teeTcbSvn[1] as number
  const identity = version > 0 ? findTdxModuleIdentity(tcbInfo, version) : undefined
  const expected = identity ?? tcbInfo.tdxModule
  if (!expected)
    checks.fail(name, `The TCB info describes no TDX module for major version ${version}.`)
  if (!bytesEqual(report.mrSignerSeam, expected.mrSigner))
    checks.fail(
      name,
      `MRSIGNERSEAM ${toPlainHex(report.mrSignerSeam)} is not the TDX module signer ${toPlainHex(expected.mrSigner)}.`,
    )
  for (let index = 0; index < 8; index++) {
    const mask = expected.attributesMask[index] as number
    if (
      ((report.seamAttributes[index] as number) & mask) !==
      ((expected.attributes[index] as number) & mask)
    )
      checks.fail(name, 'SEAMATTRIBUTES do not match the TDX module identity under its mask.')
  }
  checks.pass(
    name,
    `TDX module ${identity ? identity.id : 'identity'} signer and attributes match (version ${version}, ISVSVN ${report.teeTcbSvn[0]})`,
  )
}
