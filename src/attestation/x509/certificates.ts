import { sha256 } from '@noble/hashes/sha2'
import { BoundedCache } from '../boundedCache.ts'
import { asBufferSource, hexToBytes, latin1ToString, toPlainHex } from '../bytes.ts'
import { CollateralError } from '../errors.ts'
import { checkFileSizes } from '../limits.ts'
import { X509Certificate, X509Crl } from './x509.ts'

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s\\n]*?)-----END \1-----/g

/** The DER contents of every PEM block of the given label (e.g. `CERTIFICATE`, `X509 CRL`) in `text`. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  const decoded =
    text.includes('%2F') || text.includes('%20') || text.includes('%0A')
      ? safeUriDecode(text)
      : text
  const out: Uint8Array[] = []
  for (const match of decoded.matchAll(pemBlock)) {
    if (match[1] !== label) continue
    const base64 = (match[2] ?? '').replaceAll('\\n', '').replace(/\s+/g, '')
    const bytes = base64ToBytes(base64)
    if (bytes) out.push(bytes)
  }
  return out
}

function safeUriDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function base64ToBytes(base64: string): Uint8Array | undefined {
  try {
    const binary = atob(base64)
    const out = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
    return out
  } catch {
    return undefined
  }
}

/** Certificates found in `bytes`: PEM (plain or URL-encoded) blocks, or a single DER certificate. */
export function readCertificates(bytes: Uint8Array): X509Certificate[] {
  const text = latin1ToString(bytes)
  if (text.includes('-----BEGIN')) return pemBlocks(text, 'CERTIFICATE').flatMap(tryCertificate)
  return tryCertificate(bytes)
}

function tryCertificate(der: Uint8Array): X509Certificate[] {
  const certificate = parseCertificate(der)
  return certificate ? [certificate] : []
}

/**
 * Parsed certificates and CRLs, kept by the SHA-256 of their DER bytes (never by the bytes
 * themselves) and capped, so a warm verifier parses each once and no input grows the caches.
 */
const parsedCertificates = new BoundedCache<string, X509Certificate | undefined>(256)
const parsedCrls = new BoundedCache<string, X509Crl | undefined>(64)

/** The cache key of DER bytes: their SHA-256 (synchronous, so parsing stays synchronous). */
function sha256Hex(bytes: Uint8Array): string {
  return toPlainHex(sha256(bytes))
}

/**
 * A certificate from DER bytes, or undefined if they are not one. Parsed certificates are kept
 * (keyed by their exact bytes), so a warm verifier parses each certificate once.
 */
export function parseCertificate(der: Uint8Array): X509Certificate | undefined {
  if (der[0] !== 0x30) return undefined
  const key = sha256Hex(der)
  if (parsedCertificates.has(key)) return parsedCertificates.get(key)
  let certificate: X509Certificate | undefined
  try {
    certificate = new X509Certificate(asBufferSource(Uint8Array.from(der)))
    // Touch the fields verification relies on, so a malformed certificate fails here.
    void certificate.subject
    void certificate.issuer
    void certificate.notBefore
  } catch {
    certificate = undefined
  }
  return parsedCertificates.set(key, certificate)
}

/** A CRL from DER bytes, or undefined if they are not one. Cached like certificates. */
export function parseCrl(der: Uint8Array): X509Crl | undefined {
  if (der[0] !== 0x30) return undefined
  const key = sha256Hex(der)
  if (parsedCrls.has(key)) return parsedCrls.get(key)
  let crl: X509Crl | undefined
  try {
    crl = new X509Crl(asBufferSource(Uint8Array.from(der)))
    void crl.issuer
    void crl.thisUpdate
    void crl.entries.length
  } catch {
    crl = undefined
  }
  return parsedCrls.set(key, crl)
}

/** CRLs found in `bytes`: PEM blocks, DER, or hex text of DER. */
export function readCrls(bytes: Uint8Array): X509Crl[] {
  const text = latin1ToString(bytes)
  if (text.includes('-----BEGIN')) return pemBlocks(text, 'X509 CRL').flatMap(tryCrl)
  const fromHex = /^\s*[0-9a-fA-F]+\s*$/.test(text) ? hexToBytes(text.trim()) : undefined
  return tryCrl(fromHex ?? bytes)
}

function tryCrl(der: Uint8Array): X509Crl[] {
  const crl = parseCrl(der)
  return crl ? [crl] : []
}

/**
 * Certificates and CRLs from files given by a caller (`--certs`), read strictly: every file must
 * hold at least one, and every PEM block in it must parse. A CRL that cannot be read is an error,
 * never a CRL treated as absent (which would silently skip a revocation check).
 */
export function readCertificateFiles(files: readonly Uint8Array[]): {
  certificates: X509Certificate[]
  crls: X509Crl[]
} {
  checkFileSizes(files, 'certificate')
  const certificates: X509Certificate[] = []
  const crls: X509Crl[] = []
  files.forEach((file, index) => {
    const text = latin1ToString(file)
    const name = `Certificate file ${index + 1}`
    if (text.includes('-----BEGIN')) {
      for (const [label, parse, out] of [
        ['CERTIFICATE', parseCertificate, certificates],
        ['X509 CRL', parseCrl, crls],
      ] as const)
        for (const der of pemBlocks(text, label)) {
          const parsed = parse(der)
          if (!parsed)
            throw new CollateralError(`${name} holds a ${label} block that cannot be read.`)
          ;(out as (X509Certificate | X509Crl)[]).push(parsed)
        }
      return
    }
    const certificate = parseCertificate(file)
    const crl = certificate ? undefined : parseCrl(file)
    if (certificate) certificates.push(certificate)
    else if (crl) crls.push(crl)
    else throw new CollateralError(`${name} is neither a certificate nor a CRL that can be read.`)
  })
  return { certificates, crls }
}

/**
 * Signature results per parsed object: the caches above hand out one object per distinct DER, so
 * these weak maps hold a result per (signed, issuer) pair for as long as both stay cached.
 */
const signatureResults = new WeakMap<X509Certificate | X509Crl, WeakMap<X509Certificate, boolean>>()

/**
 * Whether `signed` (a certificate or CRL) carries a valid signature by `issuer`'s key. Only the
 * signature is checked here; names, dates and revocation are separate checks. Results are kept,
 * since the answer for the same bytes never changes.
 */
export async function isSignedBy(
  signed: X509Certificate | X509Crl,
  issuer: X509Certificate,
): Promise<boolean> {
  let byIssuer = signatureResults.get(signed)
  const known = byIssuer?.get(issuer)
  if (known !== undefined) return known
  let valid: boolean
  try {
    valid =
      signed instanceof X509Certificate
        ? await signed.verify({ publicKey: issuer, signatureOnly: true })
        : await signed.verify({ publicKey: issuer })
  } catch {
    valid = false
  }
  if (!byIssuer) {
    byIssuer = new WeakMap()
    signatureResults.set(signed, byIssuer)
  }
  byIssuer.set(issuer, valid)
  return valid
}

/** Whether `at` lies within the certificate's validity period (both ends inclusive). */
export function isCertificateValidAt(certificate: X509Certificate, at: Date): boolean {
  return (
    certificate.notBefore.getTime() <= at.getTime() &&
    at.getTime() <= certificate.notAfter.getTime()
  )
}

/** Whether `at` lies within the CRL's thisUpdate..nextUpdate (inclusive); a CRL without nextUpdate is rejected. */
export function isCrlCurrentAt(crl: X509Crl, at: Date): boolean {
  const nextUpdate = crl.nextUpdate
  return (
    nextUpdate !== undefined &&
    crl.thisUpdate.getTime() <= at.getTime() &&
    at.getTime() <= nextUpdate.getTime()
  )
}

/** Whether the CRL lists the certificate's serial number. */
export function crlListsCertificate(crl: X509Crl, certificate: X509Certificate): boolean {
  const serial = normaliseSerial(certificate.serialNumber)
  return crl.entries.some((entry) => normaliseSerial(entry.serialNumber) === serial)
}

function normaliseSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+/, '')
}

const importedKeys = new WeakMap<X509Certificate, Promise<CryptoKey>>()

/** The certificate's public key as a WebCrypto key for signature verification (kept per certificate). */
export function publicKeyOf(certificate: X509Certificate): Promise<CryptoKey> {
  let imported = importedKeys.get(certificate)
  if (!imported) {
    imported = certificate.publicKey.export()
    importedKeys.set(certificate, imported)
  }
  return imported
}

/** The contents (extnValue) of the extension with this OID, if present. */
export function extensionValue(certificate: X509Certificate, oid: string): Uint8Array | undefined {
  const extension = certificate.extensions.find((candidate) => candidate.type === oid)
  return extension ? new Uint8Array(extension.value) : undefined
}

export { X509Certificate, X509Crl }

/** The CN of a certificate's subject (or the whole subject if it has none), for messages. */
export function commonNameOf(certificate: { subject: string }): string {
  return /CN=([^,]+)/.exec(certificate.subject)?.[1] ?? certificate.subject
}
