/**
 * Test-only: a stand-in NVIDIA RIM signing hierarchy (root → signer, ECDSA P-384) with keys the
 * test holds, and RIM SWID tags signed by it the way NVIDIA signs theirs (enveloped XML
 * signature, canonical XML 1.1, ECDSA-SHA384). The real RIMs of the vectors are for another
 * driver and VBIOS than the real H100 report, so only a stand-in RIM can match that report.
 */
import 'reflect-metadata'
import { X509Certificate, X509CertificateGenerator } from '@peculiar/x509'
import { DOMParser } from '@xmldom/xmldom'
import { canonicalXml, type XmlNode } from '../src/attestation/xml/canonicalXml.ts'

const p384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const

export type FakeRimPki = {
  root: X509Certificate
  /** A signed RIM for `version` whose golden values are `measurements` (index → hex). */
  signRim(
    kind: 'driver' | 'vbios',
    version: string,
    measurements: Map<number, string>,
  ): Promise<Uint8Array>
}

export async function createFakeRimPki(window: {
  notBefore: Date
  notAfter: Date
}): Promise<FakeRimPki> {
  const keys = () =>
    crypto.subtle.generateKey(p384, true, ['sign', 'verify']) as Promise<CryptoKeyPair>
  const [rootKeys, signerKeys] = await Promise.all([keys(), keys()])
  const root = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Stand-in RIM signing Root CA, O=BOCC tests',
    ...window,
    keys: rootKeys,
    signingAlgorithm: p384,
  })
  const signer = await X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=Stand-in RIM Signer, O=BOCC tests',
    issuer: root.subject,
    ...window,
    publicKey: signerKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: p384,
  })
  const base64 = (bytes: ArrayBuffer | Uint8Array) =>
    Buffer.from(new Uint8Array(bytes)).toString('base64')
  return {
    root: new X509Certificate(root.rawData),
    async signRim(kind, version, measurements) {
      const resources = [...measurements]
        .map(
          ([index, hash]) =>
            `<ns0:Resource type="Measurement" index="${index}" active="True" alternatives="1" ns2:Hash0="${hash}" name="Measurement_${index}" size="48"/>`,
        )
        .join('\n        ')
      const unsigned = `<SoftwareIdentity xmlns="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" xmlns:ns0="http://standards.iso.org/iso/19770/-2/2015/schema.xsd" xmlns:ns2="http://www.w3.org/2001/04/xmlenc#sha384" name="GH100" tagId="stand-in-${kind}" version="1.0">
    <ns0:Meta colloquialVersion="${version}" edition="GPU" product="GH100"/>
    <ns0:Payload>
        ${resources}
    </ns0:Payload>
</SoftwareIdentity>`
      const parse = (text: string) =>
        new DOMParser().parseFromString(text, 'text/xml').documentElement as unknown as XmlNode
      const digest = base64(
        await crypto.subtle.digest(
          'SHA-384',
          new TextEncoder().encode(canonicalXml(parse(unsigned))),
        ),
      )
      const signedInfo = `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2006/12/xml-c14n11"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2006/12/xml-c14n11"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#sha384"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`
      const placeholder = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${signedInfo}</ds:Signature></SoftwareIdentity>`
      const withSignedInfo = unsigned.replace('</SoftwareIdentity>', placeholder)
      const signedInfoElement = Array.from(parse(withSignedInfo).childNodes).find(
        (node) => node.localName === 'Signature',
      )?.childNodes[0] as XmlNode
      const value = await crypto.subtle.sign(
        p384,
        signerKeys.privateKey,
        new TextEncoder().encode(canonicalXml(signedInfoElement)),
      )
      const keyInfo = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64(signer.rawData)}</ds:X509Certificate><ds:X509Certificate>${base64(root.rawData)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`
      return new TextEncoder().encode(
        unsigned.replace(
          '</SoftwareIdentity>',
          `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${signedInfo}<ds:SignatureValue>${base64(value)}</ds:SignatureValue>${keyInfo}</ds:Signature></SoftwareIdentity>\n`,
        ),
      )
    },
  }
}
