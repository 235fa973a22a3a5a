import type { BasicOCSPResponse } from '@peculiar/asn1-ocsp'
import { asBufferSource, bytesEqual, toPlainHex } from '../bytes.ts'
import { CollateralError } from '../errors.ts'
import {
  commonNameOf,
  isCertificateValidAt,
  isSignedBy,
  parseCertificate,
  type X509Certificate,
} from './certificates.ts'
import { derObjectIdentifier, derTag, readDerItem, readDerItems } from './der.ts'

/**
 * OCSP responses (RFC 6960) given as collateral: revocation of a certificate chain checked
 * offline, as Intel's CRLs are. Nothing is fetched; a caller that wants revocation checked brings
 * a response for every certificate of the chain below the root.
 */
const ocspSigning = '1.3.6.1.5.5.7.3.9'
const extendedKeyUsage = '2.5.29.37'

const hashes: Record<string, 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
}

const signatureAlgorithms: Record<
  string,
  { name: 'ECDSA' | 'RSASSA-PKCS1-v1_5'; hash: 'SHA-256' | 'SHA-384' | 'SHA-512' }
> = {
  '1.2.840.10045.4.3.2': { name: 'ECDSA', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { name: 'ECDSA', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { name: 'ECDSA', hash: 'SHA-512' },
  '1.2.840.113549.1.1.11': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
}

/** A parsed, not yet verified, basic OCSP response. */
export type OcspResponse = {
  basic: BasicOCSPResponse
  signedBytes: Uint8Array
  responders: X509Certificate[]
}

/** Whether a file holds an OCSP response, by its content (DER: status, then a basic response). */
export function looksLikeOcspResponse(file: Uint8Array): boolean {
  const outer = readDerItem(file)
  if (outer?.tag !== derTag.sequence) return false
  const [status, bytes] = readDerItems(outer.value) ?? []
  return status?.tag === derTag.enumerated && bytes?.tag === 0xa0
}

/** The ASN.1 schemas, loaded only when OCSP responses are given. */
async function schemas() {
  const [ocsp, schema, x509] = await Promise.all([
    import('@peculiar/asn1-ocsp'),
    import('@peculiar/asn1-schema'),
    import('@peculiar/asn1-x509'),
  ])
  return { ...ocsp, AsnConvert: schema.AsnConvert, SubjectPublicKeyInfo: x509.SubjectPublicKeyInfo }
}

/** Reads an OCSP response file; only a successful basic response is accepted. */
export async function readOcspResponse(file: Uint8Array): Promise<OcspResponse> {
  const { AsnConvert, BasicOCSPResponse, OCSPResponse, id_pkix_ocsp_basic } = await schemas()
  let response: InstanceType<typeof OCSPResponse>
  try {
    response = AsnConvert.parse(asBufferSource(file), OCSPResponse)
  } catch (cause) {
    throw new CollateralError('An OCSP response cannot be read.', { cause })
  }
  if (response.responseStatus !== 0 || !response.responseBytes)
    throw new CollateralError(
      `An OCSP response has status ${response.responseStatus}, not successful.`,
    )
  if (response.responseBytes.responseType !== id_pkix_ocsp_basic)
    throw new CollateralError('An OCSP response is not a basic OCSP response.')
  let basic: BasicOCSPResponse
  try {
    basic = AsnConvert.parse(response.responseBytes.response.buffer, BasicOCSPResponse)
  } catch (cause) {
    throw new CollateralError('An OCSP basic response cannot be read.', { cause })
  }
  const signedBytes = (basic as BasicOCSPResponse & { tbsResponseDataRaw?: ArrayBuffer })
    .tbsResponseDataRaw
  if (!signedBytes) throw new CollateralError('An OCSP basic response lacks its signed data.')
  const responders = (basic.certs ?? []).flatMap((certificate) => {
    const parsed = parseCertificate(new Uint8Array(AsnConvert.serialize(certificate)))
    return parsed ? [parsed] : []
  })
  return { basic, signedBytes: new Uint8Array(signedBytes), responders }
}

/**
 * Requires a good, current OCSP status for every certificate of `chain` (leaf first) below its
 * last one, each from a response signed by the certificate's issuer or by a responder the issuer
 * authorised (its certificate, issued by the issuer, with the OCSP signing key usage). Returns a
 * one-line account; throws a CollateralError naming the first certificate that fails.
 */
export async function checkChainRevocation(
  chain: X509Certificate[],
  responses: OcspResponse[],
  at: Date,
): Promise<string> {
  for (let index = 0; index + 1 < chain.length; index++) {
    const certificate = chain[index] as X509Certificate
    const issuer = chain[index + 1] as X509Certificate
    const status = await statusOf(certificate, issuer, responses, at)
    if (!status)
      throw new CollateralError(
        `No current OCSP response signed for ${commonNameOf(issuer)} covers ${commonNameOf(certificate)}.`,
      )
    if (status !== 'good')
      throw new CollateralError(
        `${commonNameOf(certificate)} (serial ${certificate.serialNumber}) is ${status} according to its OCSP response.`,
      )
  }
  return `OCSP: ${chain.length - 1} certificates below the root are good at ${at.toISOString()}`
}

async function statusOf(
  certificate: X509Certificate,
  issuer: X509Certificate,
  responses: OcspResponse[],
  at: Date,
): Promise<'good' | 'revoked' | 'unknown' | undefined> {
  for (const response of responses) {
    const single = await matchingResponse(response, certificate, issuer)
    if (!single) continue
    const current =
      single.thisUpdate.getTime() <= at.getTime() &&
      (single.nextUpdate === undefined || at.getTime() <= single.nextUpdate.getTime())
    // A response without nextUpdate says nothing about later times (RFC 6960 §4.2.2.1): not current.
    if (!current || single.nextUpdate === undefined) continue
    if (!(await isSignedForIssuer(response, issuer, at))) continue
    return single.certStatus.good !== undefined
      ? 'good'
      : single.certStatus.revoked
        ? 'revoked'
        : 'unknown'
  }
  return undefined
}

async function matchingResponse(
  response: OcspResponse,
  certificate: X509Certificate,
  issuer: X509Certificate,
) {
  const { AsnConvert, SubjectPublicKeyInfo } = await schemas()
  const serial = certificate.serialNumber.toLowerCase().replace(/^0+/, '')
  for (const single of response.basic.tbsResponseData.responses) {
    const id = single.certID
    if (toPlainHex(new Uint8Array(id.serialNumber)).replace(/^0+/, '') !== serial) continue
    const hash = hashes[id.hashAlgorithm.algorithm]
    if (!hash) continue
    const nameHash = await digest(hash, new Uint8Array(issuer.subjectName.toArrayBuffer()))
    const keyBits = new Uint8Array(
      AsnConvert.parse(issuer.publicKey.rawData, SubjectPublicKeyInfo).subjectPublicKey,
    )
    const keyHash = await digest(hash, keyBits)
    if (
      bytesEqual(nameHash, new Uint8Array(id.issuerNameHash.buffer)) &&
      bytesEqual(keyHash, new Uint8Array(id.issuerKeyHash.buffer))
    )
      return single
  }
  return undefined
}

async function isSignedForIssuer(
  response: OcspResponse,
  issuer: X509Certificate,
  at: Date,
): Promise<boolean> {
  if (await isResponseSignedBy(response, issuer)) return true
  for (const responder of response.responders) {
    if (responder.issuer !== issuer.subject || !(await isSignedBy(responder, issuer))) continue
    if (!isCertificateValidAt(responder, at) || !authorisesOcspSigning(responder)) continue
    if (await isResponseSignedBy(response, responder)) return true
  }
  return false
}

function authorisesOcspSigning(responder: X509Certificate): boolean {
  const extension = responder.extensions.find((candidate) => candidate.type === extendedKeyUsage)
  const usages = extension
    ? readDerItems(readDerItem(new Uint8Array(extension.value))?.value ?? new Uint8Array())
    : undefined
  return (usages ?? []).some((usage) => derObjectIdentifier(usage) === ocspSigning)
}

async function isResponseSignedBy(
  response: OcspResponse,
  signer: X509Certificate,
): Promise<boolean> {
  const algorithm = signatureAlgorithms[response.basic.signatureAlgorithm.algorithm]
  if (!algorithm) return false
  try {
    const spki = signer.publicKey.rawData
    const curve = algorithm.name === 'ECDSA' ? await curveOf(spki) : undefined
    const key = await crypto.subtle.importKey(
      'spki',
      spki,
      algorithm.name === 'ECDSA'
        ? { name: 'ECDSA', namedCurve: curve ?? 'P-256' }
        : { name: algorithm.name, hash: algorithm.hash },
      false,
      ['verify'],
    )
    let signature: Uint8Array = new Uint8Array(response.basic.signature)
    if (algorithm.name === 'ECDSA')
      signature = p1363Of(signature, curve === 'P-384' ? 48 : curve === 'P-521' ? 66 : 32)
    return await crypto.subtle.verify(
      algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: algorithm.hash } : algorithm.name,
      key,
      asBufferSource(signature),
      asBufferSource(response.signedBytes),
    )
  } catch {
    return false
  }
}

async function curveOf(spki: ArrayBuffer): Promise<'P-256' | 'P-384' | 'P-521' | undefined> {
  const { AsnConvert, SubjectPublicKeyInfo } = await schemas()
  const parameters = AsnConvert.parse(spki, SubjectPublicKeyInfo).algorithm.parameters
  const oid = parameters ? derObjectIdentifier(readDerItem(new Uint8Array(parameters))) : undefined
  return oid === '1.2.840.10045.3.1.7'
    ? 'P-256'
    : oid === '1.3.132.0.34'
      ? 'P-384'
      : oid === '1.3.132.0.35'
        ? 'P-521'
        : undefined
}

/** A DER ECDSA signature (SEQUENCE of two INTEGERs) as r ‖ s of `size` bytes each. */
function p1363Of(der: Uint8Array, size: number): Uint8Array {
  const sequence = readDerItem(der)
  const [r, s] = sequence?.tag === derTag.sequence ? (readDerItems(sequence.value) ?? []) : []
  if (r?.tag !== derTag.integer || s?.tag !== derTag.integer) return new Uint8Array(0)
  const out = new Uint8Array(2 * size)
  for (const [index, part] of [r.value, s.value].entries()) {
    const trimmed = part.subarray(Math.max(0, part.length - size))
    if (part.length > size && part.subarray(0, part.length - size).some((byte) => byte !== 0))
      return new Uint8Array(0)
    out.set(trimmed, index * size + size - trimmed.length)
  }
  return out
}

async function digest(hash: string, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(hash, asBufferSource(bytes)))
}
