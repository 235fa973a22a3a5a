import { bytesEqual, stringToUtf8, toPlainHex } from '../bytes.ts'
import type { CheckList } from '../checkList.ts'
import { AttestationCheckError } from '../errors.ts'
import {
  commonNameOf,
  crlListsCertificate,
  isCertificateValidAt,
  isSignedBy,
  publicKeyOf,
  type X509Certificate,
  type X509Crl,
} from '../x509/certificates.ts'
import { isValidEcdsaSignature } from '../x509/signatures.ts'
import type { IntelCollateral } from './collateral.ts'
import type { PckExtensions } from './pckExtensions.ts'
import { parseQeIdentity, type QeIdentity } from './qeIdentity.ts'
import type { IntelQuote } from './quote.ts'
import type { SignedJson } from './signedJson.ts'
import { parseTcbInfo, type TcbInfo } from './tcbInfo.ts'

/**
 * Picks the TCB info and QE identity that apply to a quote from whatever collateral was given,
 * and verifies each: current at the verification time, and signed over its exact JSON bytes by
 * an Intel SGX TCB Signing certificate that chains to the root and is not revoked.
 */
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
  let expired: X509Certificate | undefined
  for (const candidate of collateral.certificates) {
    if (candidate.issuer !== root.subject || commonNameOf(candidate) !== 'Intel SGX TCB Signing')
      continue
    if (!(await isSignedJsonBy(document, candidate))) continue
    if (!(await isSignedBy(candidate, root))) continue
    if (!isCertificateValidAt(candidate, at)) {
      expired = candidate
      continue
    }
    if (crlListsCertificate(rootCrl, candidate))
      throw new AttestationCheckError(
        check,
        `${commonNameOf(candidate)} (serial ${candidate.serialNumber}) is revoked by the root CA CRL.`,
      )
    return candidate
  }
  if (expired)
    throw new AttestationCheckError(
      check,
      `${commonNameOf(expired)} is not valid at ${at.toISOString()} (${expired.notBefore.toISOString()} to ${expired.notAfter.toISOString()}).`,
    )
  throw new AttestationCheckError(
    check,
    'No Intel SGX TCB Signing certificate in the collateral that chains to the root verifies its signature.',
  )
}

/**
 * Signature results per document object and certificate: the same text and signature always give
 * the same answer, so a long-lived verifier checks each collateral document once per signer.
 */
const jsonSignatureResults = new WeakMap<SignedJson, WeakMap<X509Certificate, Promise<boolean>>>()

function isSignedJsonBy(document: SignedJson, certificate: X509Certificate): Promise<boolean> {
  let bySigner = jsonSignatureResults.get(document)
  if (!bySigner) {
    bySigner = new WeakMap()
    jsonSignatureResults.set(document, bySigner)
  }
  let result = bySigner.get(certificate)
  if (!result) {
    result = isValidEcdsaSignature(
      publicKeyOf(certificate),
      document.signature,
      stringToUtf8(document.body),
      'SHA-256',
    )
    bySigner.set(certificate, result)
  }
  return result
}

/** Parsed documents per document object, so each is parsed once. */
const parsedBodies = new WeakMap<SignedJson, unknown>()

function isCurrentAt(document: { issueDate: Date; nextUpdate: Date }, at: Date): boolean {
  return (
    document.issueDate.getTime() <= at.getTime() && at.getTime() <= document.nextUpdate.getTime()
  )
}

function windowOf(document: { issueDate: Date; nextUpdate: Date }): string {
  return `${document.issueDate.toISOString()} to ${document.nextUpdate.toISOString()}`
}

export async function selectTcbInfo(
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
  const current = candidates.filter(({ parsed }) => isCurrentAt(parsed, at))
  if (current.length === 0)
    checks.fail(
      name,
      `The ${wantedId} TCB info for FMSPC ${toPlainHex(pck.fmspc)} is not current at ${at.toISOString()} (${candidates.map(({ parsed }) => windowOf(parsed)).join('; ')}).`,
    )
  const { chosen, signer, setAside } = await newestSigned(
    current,
    collateral,
    root,
    rootCrl,
    at,
    name,
  )
  if (!bytesEqual(chosen.parsed.pceId, pck.pceId))
    checks.fail(
      name,
      `The TCB info PCE-ID ${toPlainHex(chosen.parsed.pceId)} differs from the PCK certificate's ${toPlainHex(pck.pceId)}.`,
    )
  checks.pass(
    name,
    `${wantedId} TCB info v${chosen.parsed.version} for FMSPC ${toPlainHex(pck.fmspc)}, evaluation data ${chosen.parsed.tcbEvaluationDataNumber}, current (${windowOf(chosen.parsed)}), signed by ${commonNameOf(signer)}${setAsideNote(setAside)}`,
  )
  return chosen.parsed
}

export async function selectQeIdentity(
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
  const current = candidates.filter(({ parsed }) => isCurrentAt(parsed, at))
  if (current.length === 0)
    checks.fail(
      name,
      `The ${wantedId} identity is not current at ${at.toISOString()} (${candidates.map(({ parsed }) => windowOf(parsed)).join('; ')}).`,
    )
  const { chosen, signer, setAside } = await newestSigned(
    current,
    collateral,
    root,
    rootCrl,
    at,
    name,
  )
  checks.pass(
    name,
    `${wantedId} identity, evaluation data ${chosen.parsed.tcbEvaluationDataNumber}, current (${windowOf(chosen.parsed)}), signed by ${commonNameOf(signer)}${setAsideNote(setAside)}`,
  )
  return chosen.parsed
}

/**
 * The document with the highest TCB evaluation data number whose signature verifies. A document
 * that does not verify (forged, or signed by a revoked or expired key) is set aside, so it can
 * neither stand in for a valid one nor keep a valid one from counting; if none verifies, the
 * newest one's failure is the reason.
 */
async function newestSigned<T extends { tcbEvaluationDataNumber: number }>(
  documents: { document: SignedJson; parsed: T }[],
  collateral: IntelCollateral,
  root: X509Certificate,
  rootCrl: X509Crl,
  at: Date,
  check: string,
) {
  const newestFirst = [...documents].sort(
    (a, b) => b.parsed.tcbEvaluationDataNumber - a.parsed.tcbEvaluationDataNumber,
  )
  let firstFailure: AttestationCheckError | undefined
  for (const [index, candidate] of newestFirst.entries()) {
    try {
      const signer = await signerOf(candidate.document, collateral, root, rootCrl, at, check)
      return { chosen: candidate, signer, setAside: index }
    } catch (error) {
      if (!(error instanceof AttestationCheckError)) throw error
      firstFailure ??= error
    }
  }
  throw firstFailure ?? new AttestationCheckError(check, 'No document applies.')
}

function setAsideNote(count: number): string {
  return count
    ? `; ${count} newer document${count > 1 ? 's' : ''} that do${count > 1 ? '' : 'es'} not verify set aside`
    : ''
}

function parsedDocuments<T>(
  documents: SignedJson[],
  parse: (body: string) => T,
): { document: SignedJson; parsed: T }[] {
  const out: { document: SignedJson; parsed: T }[] = []
  for (const document of documents) {
    try {
      let parsed = parsedBodies.get(document) as T | undefined
      if (parsed === undefined) {
        parsed = parse(document.body)
        parsedBodies.set(document, parsed)
      }
      out.push({ document, parsed })
    } catch {
      // Unreadable documents cannot apply; if nothing else does, the caller reports what is missing.
    }
  }
  return out
}
