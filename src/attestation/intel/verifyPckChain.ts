import type { CheckList } from '../checkList.ts'
import { AttestationCheckError } from '../errors.ts'
import {
  commonNameOf,
  isCertificateValidAt,
  isCrlCurrentAt,
  isSignedBy,
  readCertificates,
  type X509Certificate,
  type X509Crl,
} from '../x509/certificates.ts'
import { type PckExtensions, readPckExtensions } from './pckExtensions.ts'
import type { IntelQuote } from './quote.ts'

/**
 * The PCK certificate chain carried in a quote, checked up to the trusted root, and the CRLs
 * that must be current and silent about it.
 */
export async function verifyPckChain(
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
      `The PCK certificate is not signed by the next certificate in the chain (${commonNameOf(pckCa)}).`,
    )
  if (!/^Intel SGX PCK (Platform|Processor) CA$/.test(commonNameOf(pckCa)))
    checks.fail(
      name,
      `The PCK certificate's issuer is "${commonNameOf(pckCa)}", not an Intel SGX PCK Platform or Processor CA.`,
    )
  if (pckCa.issuer !== root.subject || !(await isSignedBy(pckCa, root)))
    checks.fail(name, `${commonNameOf(pckCa)} is not signed by the trusted ${commonNameOf(root)}.`)
  for (const certificate of [pck, pckCa, root])
    if (!isCertificateValidAt(certificate, at))
      checks.fail(
        name,
        `${commonNameOf(certificate)} is not valid at ${at.toISOString()} (${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}).`,
      )
  checks.pass(
    name,
    `PCK certificate ← ${commonNameOf(pckCa)} ← ${commonNameOf(root)}, all valid at ${at.toISOString()}`,
  )
  return { pck, pckCa }
}

export function readPckExtensionsOrFail(pck: X509Certificate): PckExtensions {
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
export async function currentCrlOf(
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
      `The collateral has no CRL signed by ${commonNameOf(issuer)}.`,
    )
  const current = signed
    .filter((crl) => isCrlCurrentAt(crl, at))
    .sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime())
  if (!current[0])
    throw new AttestationCheckError(
      check,
      `The ${commonNameOf(issuer)} CRL is not current at ${at.toISOString()} (${signed.map(crlWindow).join('; ')}).`,
    )
  return current[0]
}

export function crlWindow(crl: X509Crl): string {
  return `${crl.thisUpdate.toISOString()} to ${crl.nextUpdate?.toISOString() ?? 'no nextUpdate'}`
}
