import { asBufferSource, bytesEqual, latin1ToString, stringToUtf8, utf8ToString } from '../bytes.ts'
import { CollateralError } from '../errors.ts'
import {
  commonNameOf,
  isCertificateValidAt,
  isSignedBy,
  parseCertificate,
  publicKeyOf,
  type X509Certificate,
} from '../x509/certificates.ts'
import { isValidEcdsaSignature } from '../x509/signatures.ts'
import { canonicalXml, type XmlNode } from '../xml/canonicalXml.ts'

/**
 * NVIDIA's reference integrity manifests (RIMs): SWID tags (ISO/IEC 19770-2) listing the golden
 * value of each GPU measurement for one driver or one VBIOS, signed with an enveloped XML
 * signature by a key whose certificate chains to NVIDIA's RIM signing root.
 */
export type Rim = {
  /** `driver` for a driver RIM, `vbios` for a VBIOS RIM (told by its version's form). */
  kind: 'driver' | 'vbios'
  /** The driver or VBIOS version the RIM is for (`colloquialVersion`), e.g. `550.90.07` or `96.00.9F.00.01`. */
  version: string
  /** The GPU product, e.g. `GH100`. */
  product: string
  /** Golden values by measurement index (0-based; SPDM block index − 1), for the active entries. */
  measurements: Map<number, string[]>
  /** The certificate whose key signed the RIM, after its chain to the RIM root was verified. */
  signer: X509Certificate
}

const dsig = 'http://www.w3.org/2000/09/xmldsig#'
const swid = 'http://standards.iso.org/iso/19770/-2/2015/schema.xsd'
const canonicalizations = [
  'http://www.w3.org/2006/12/xml-c14n11',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
]
const envelopedSignature = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature'
const digests: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'SHA-256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'SHA-384',
  'http://www.w3.org/2001/04/xmlenc#sha384': 'SHA-384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'SHA-512',
}
const signatureMethods: Record<
  string,
  { name: 'ECDSA' | 'RSASSA-PKCS1-v1_5'; hash: 'SHA-256' | 'SHA-384' | 'SHA-512' }
> = {
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { name: 'ECDSA', hash: 'SHA-256' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { name: 'ECDSA', hash: 'SHA-384' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { name: 'ECDSA', hash: 'SHA-512' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
  },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-384',
  },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-512',
  },
}

/** Whether a file holds a SWID tag (a RIM), by its content. */
export function looksLikeRim(file: Uint8Array): boolean {
  const head = latin1ToString(file.subarray(0, 512)).trimStart()
  return (
    head.startsWith('<SoftwareIdentity') ||
    (head.startsWith('<?xml') && head.includes('<SoftwareIdentity'))
  )
}

/**
 * Reads a RIM and verifies its signature: exactly one enveloped signature, a child of the root,
 * with one reference to the whole document (so the values read are the values signed: no
 * signature wrapping), its digest over the canonical document without the signature, its
 * signature over the canonical SignedInfo by the first KeyInfo certificate, and that
 * certificate's chain through the others to `root`, every certificate valid at `at`.
 * Throws a CollateralError saying what is wrong.
 */
export async function readRim(file: Uint8Array, root: X509Certificate, at: Date): Promise<Rim> {
  const document = await parseXml(utf8ToString(file))
  const rootElement = document.documentElement as unknown as XmlNode & {
    namespaceURI: string | null
  }
  if (rootElement.localName !== 'SoftwareIdentity' || rootElement.namespaceURI !== swid)
    throw new CollateralError('The RIM is not a SWID tag (no SoftwareIdentity root).')
  for (const node of Array.from(document.childNodes as unknown as ArrayLike<XmlNode>))
    if (
      node !== rootElement &&
      node.nodeType !== 8 &&
      !(node.nodeType === 7 && node.target === 'xml')
    )
      throw new CollateralError('The RIM has content outside its root element.')
  const signatures = elementsByName(rootElement, dsig, 'Signature')
  const signature = signatures[0]
  if (signatures.length !== 1 || !signature || signature.parentNode !== rootElement)
    throw new CollateralError(
      'The RIM must carry exactly one signature, enveloped in its root element.',
    )
  if (hasXmlAttributes(rootElement))
    throw new CollateralError(
      'The RIM carries xml: attributes, which canonical XML 1.0 and 1.1 treat differently.',
    )

  const signedInfo = onlyChild(signature, 'SignedInfo')
  const canonicalization = algorithmOf(onlyChild(signedInfo, 'CanonicalizationMethod'))
  if (!canonicalizations.includes(canonicalization))
    throw new CollateralError(`The RIM's canonicalization ${canonicalization} is not supported.`)
  const method = signatureMethods[algorithmOf(onlyChild(signedInfo, 'SignatureMethod'))]
  if (!method) throw new CollateralError('The RIM is signed with an unsupported signature method.')
  const reference = onlyChild(signedInfo, 'Reference')
  if (attributeOf(reference, 'URI') !== '')
    throw new CollateralError('The RIM signature does not reference the whole document (URI="").')
  const transforms = childElements(onlyChild(reference, 'Transforms')).map(algorithmOf)
  if (
    transforms[0] !== envelopedSignature ||
    transforms.length > 2 ||
    (transforms[1] !== undefined && !canonicalizations.includes(transforms[1]))
  )
    throw new CollateralError(
      'The RIM signature transforms are not enveloped-signature then canonical XML.',
    )
  const digest = digests[algorithmOf(onlyChild(reference, 'DigestMethod'))]
  if (!digest) throw new CollateralError('The RIM digest method is not supported.')

  const signedDocument = canonicalXml(rootElement, (node) => node === signature)
  const expectedDigest = base64Of(textOf(onlyChild(reference, 'DigestValue')), 'DigestValue')
  const actualDigest = new Uint8Array(
    await crypto.subtle.digest(digest, asBufferSource(stringToUtf8(signedDocument))),
  )
  if (!bytesEqual(actualDigest, expectedDigest))
    throw new CollateralError('The RIM was altered: its digest does not match the signed digest.')

  const certificates = elementsByName(signature, dsig, 'X509Certificate').map((element) => {
    const certificate = parseCertificate(base64Of(textOf(element), 'X509Certificate'))
    if (!certificate)
      throw new CollateralError('The RIM carries a certificate that cannot be read.')
    return certificate
  })
  const signer = certificates[0]
  if (!signer) throw new CollateralError('The RIM carries no signing certificate.')
  const signatureValue = base64Of(textOf(onlyChild(signature, 'SignatureValue')), 'SignatureValue')
  const signedInfoBytes = stringToUtf8(canonicalXml(signedInfo))
  const valid =
    method.name === 'ECDSA'
      ? await isValidEcdsaSignature(
          publicKeyOf(signer),
          signatureValue,
          signedInfoBytes,
          method.hash,
        )
      : await isValidRsaSignature(signer, signatureValue, signedInfoBytes, method.hash)
  if (!valid)
    throw new CollateralError(`The RIM signature does not verify with ${commonNameOf(signer)}.`)
  await verifyChain(signer, certificates.slice(1), root, at)

  const meta = elementsByName(rootElement, swid, 'Meta')[0]
  const version = meta ? attributeOf(meta, 'colloquialVersion') : undefined
  if (!version) throw new CollateralError('The RIM names no version (Meta colloquialVersion).')
  const measurements = new Map<number, string[]>()
  for (const resource of elementsByName(rootElement, swid, 'Resource')) {
    if (
      attributeOf(resource, 'type') !== 'Measurement' ||
      attributeOf(resource, 'active') !== 'True'
    )
      continue
    const index = Number(attributeOf(resource, 'index'))
    const count = Number(attributeOf(resource, 'alternatives'))
    if (
      !Number.isSafeInteger(index) ||
      index < 0 ||
      !Number.isSafeInteger(count) ||
      count < 1 ||
      count > 64
    )
      throw new CollateralError(
        'The RIM has a measurement with a malformed index or alternatives count.',
      )
    const hashes = Array.from({ length: count }, (_, alternative) =>
      (hashAttribute(resource, `Hash${alternative}`) ?? '').toLowerCase(),
    )
    if (hashes.some((hash) => !/^[0-9a-f]{64,128}$/.test(hash)))
      throw new CollateralError(
        `The RIM measurement ${index} lacks one of its ${count} golden values.`,
      )
    measurements.set(index, hashes)
  }
  return {
    kind: /^[0-9A-F]{2}(\.[0-9A-F]{2}){4}$/i.test(version) ? 'vbios' : 'driver',
    version,
    product: (meta && attributeOf(meta, 'product')) || '',
    measurements,
    signer,
  }
}

async function verifyChain(
  leaf: X509Certificate,
  others: X509Certificate[],
  root: X509Certificate,
  at: Date,
) {
  const chain = [leaf]
  for (let current = leaf; ; ) {
    if (!isCertificateValidAt(current, at))
      throw new CollateralError(
        `The RIM certificate ${commonNameOf(current)} is not valid at ${at.toISOString()} (${current.notBefore.toISOString()} to ${current.notAfter.toISOString()}).`,
      )
    if (current.issuer === root.subject && (await isSignedBy(current, root))) return
    let issuer: X509Certificate | undefined
    for (const candidate of others)
      if (
        candidate.subject === current.issuer &&
        candidate !== current &&
        (await isSignedBy(current, candidate))
      ) {
        issuer = candidate
        break
      }
    if (!issuer || chain.length > 8)
      throw new CollateralError(
        `The RIM certificate ${commonNameOf(current)} does not chain to the pinned ${commonNameOf(root)}.`,
      )
    chain.push(issuer)
    current = issuer
  }
}

async function isValidRsaSignature(
  certificate: X509Certificate,
  signature: Uint8Array,
  data: Uint8Array,
  hash: 'SHA-256' | 'SHA-384' | 'SHA-512',
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey(
      'spki',
      certificate.publicKey.rawData,
      { name: 'RSASSA-PKCS1-v1_5', hash },
      false,
      ['verify'],
    )
    return await crypto.subtle.verify(
      'RSASSA-PKCS1-v1_5',
      key,
      asBufferSource(signature),
      asBufferSource(data),
    )
  } catch {
    return false
  }
}

type XmlElement = XmlNode & {
  namespaceURI: string | null
  getAttribute(name: string): string | null
}

async function parseXml(text: string): Promise<{ documentElement: unknown; childNodes: unknown }> {
  if (/<!DOCTYPE/i.test(text))
    throw new CollateralError(
      'The RIM has a DOCTYPE, which a RIM never needs (entity expansion refused).',
    )
  // Loaded only when RIMs are given: the XML parser is the library's slowest import but one.
  const { DOMParser } = await import('@xmldom/xmldom')
  let failure: string | undefined
  let document: ReturnType<InstanceType<typeof DOMParser>['parseFromString']> | undefined
  try {
    document = new DOMParser({
      onError: (level: string, message: string) => {
        if (level !== 'warning') failure ??= message
      },
    }).parseFromString(text, 'text/xml')
  } catch (error) {
    // Fatal errors are thrown rather than reported.
    failure ??= error instanceof Error ? error.message : String(error)
  }
  if (failure || !document?.documentElement)
    throw new CollateralError(
      `The RIM is not well-formed XML: ${(failure ?? 'no root element').split('\n')[0]}`,
    )
  return document as unknown as { documentElement: unknown; childNodes: unknown }
}

function childElements(element: XmlNode): XmlElement[] {
  return Array.from(element.childNodes).filter((node) => node.nodeType === 1) as XmlElement[]
}

function onlyChild(element: XmlNode, localName: string): XmlElement {
  const matches = childElements(element).filter(
    (child) => child.localName === localName && child.namespaceURI === dsig,
  )
  if (matches.length !== 1 || !matches[0])
    throw new CollateralError(`The RIM signature needs exactly one ${localName}.`)
  return matches[0]
}

function elementsByName(element: XmlNode, namespace: string, localName: string): XmlElement[] {
  const found: XmlElement[] = []
  const visit = (node: XmlNode) => {
    for (const child of childElements(node)) {
      if (child.localName === localName && child.namespaceURI === namespace) found.push(child)
      visit(child)
    }
  }
  visit(element)
  return found
}

function hasXmlAttributes(element: XmlNode): boolean {
  return (
    Array.from(element.attributes ?? []).some((attribute) => attribute.prefix === 'xml') ||
    childElements(element).some(hasXmlAttributes)
  )
}

function attributeOf(element: XmlNode, name: string): string | undefined {
  return Array.from(element.attributes ?? []).find((attribute) => attribute.name === name)?.value
}

/** A golden value attribute `HashN`, whatever prefix its (SHA-384) namespace was given. */
function hashAttribute(element: XmlNode, localName: string): string | undefined {
  return Array.from(element.attributes ?? []).find(
    (attribute) => attribute.localName === localName && attribute.namespaceURI !== null,
  )?.value
}

function algorithmOf(element: XmlNode): string {
  return attributeOf(element, 'Algorithm') ?? ''
}

function textOf(element: XmlNode): string {
  return Array.from(element.childNodes)
    .map((node) => node.data ?? '')
    .join('')
}

function base64Of(text: string, what: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text.replace(/\s+/g, '')), (char) => char.charCodeAt(0))
  } catch {
    throw new CollateralError(`The RIM ${what} is not base64.`)
  }
}
