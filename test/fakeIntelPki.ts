/**
 * Test-only: a stand-in Intel PKI (root, PCK CA, PCK certificate, TCB signing certificate, CRLs)
 * with keys the test holds, re-issuing a real quote's PCK certificate (same subject, same SGX
 * extension) and re-signing its QE report, TCB info and QE identity. It lets tests reach
 * states real vectors cannot show, such as a CRL that lists the PCK certificate, and proves a
 * look-alike chain is refused under the pinned root.
 */
import 'reflect-metadata'
import { X509Certificate, X509CertificateGenerator, X509CrlGenerator } from '@peculiar/x509'
import { concatBytes, stringToUtf8 } from '../src/attestation/bytes.ts'
import type { IntelCollateral } from '../src/attestation/intel/collateral.ts'
import { parseIntelQuote } from '../src/attestation/intel/quote.ts'
import { readCertificates } from '../src/attestation/x509/certificates.ts'

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const

async function keyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair
}

function pem(certificate: X509Certificate): string {
  return certificate.toString('pem')
}

function u16(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, value >> 8)
}

function u32(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >>> 24)
}

export type FakeIntelPki = {
  root: X509Certificate
  tcbSigner: X509Certificate
  quote: Uint8Array
  collateral: IntelCollateral
  pck: X509Certificate
  /** Collateral with a PCK CRL that lists the PCK certificate. */
  revokingCollateral: IntelCollateral
  /**
   * Another quote of the same platform under this PKI, its header and body edited before they
   * are re-signed (e.g. a report_data that binds keys made in the test, or a raised TEE_TCB_SVN).
   */
  issueQuote(editSignedBytes: (signedBytes: Uint8Array) => void): Promise<Uint8Array>
  /** Signs a TCB info or QE identity body (Intel JSON) with this PKI's TCB signing key. */
  signDocument(body: string): Promise<{ body: string; signature: Uint8Array }>
}

/** Re-issues a real v4/v5 quote and its collateral under a fresh stand-in root. */
export async function createFakeIntelPki(parameters: {
  quote: Uint8Array
  collateral: IntelCollateral
  notBefore: Date
  notAfter: Date
  /** Changes the header and body before they are re-signed with a fresh attestation key. */
  editSignedBytes?: (signedBytes: Uint8Array) => void
  /** Replaces the header and body (e.g. to re-encode a v4 quote as v5) before re-signing. */
  rewriteSignedBytes?: (signedBytes: Uint8Array) => Uint8Array
}): Promise<FakeIntelPki> {
  const real = parseIntelQuote(parameters.quote)
  const [realPck, realCa] = readCertificates(real.pckCertificateChainPem)
  const realRoot = readCertificates(real.pckCertificateChainPem)[2]
  if (!realPck || !realCa || !realRoot) throw new Error('the quote carries no full PCK chain')
  const window = { notBefore: parameters.notBefore, notAfter: parameters.notAfter }
  const [rootKeys, caKeys, pckKeys, tcbKeys] = await Promise.all([
    keyPair(),
    keyPair(),
    keyPair(),
    keyPair(),
  ])

  const root = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: realRoot.subject,
    ...window,
    keys: rootKeys,
    signingAlgorithm: signing,
  })
  const ca = await X509CertificateGenerator.create({
    serialNumber: '02',
    subject: realCa.subject,
    issuer: root.subject,
    ...window,
    publicKey: caKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: signing,
  })
  const pck = await X509CertificateGenerator.create({
    serialNumber: '0badc0de',
    subject: realPck.subject,
    issuer: ca.subject,
    ...window,
    publicKey: pckKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: signing,
    extensions: [...realPck.extensions],
  })
  const tcbSigner = await X509CertificateGenerator.create({
    serialNumber: '03',
    subject: 'CN=Intel SGX TCB Signing, O=Intel Corporation, L=Santa Clara, ST=CA, C=US',
    issuer: root.subject,
    ...window,
    publicKey: tcbKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: signing,
  })

  /** A quote of the real one's platform, its header and body edited and re-signed under this PKI. */
  async function issueQuote(
    editSignedBytes?: (signedBytes: Uint8Array) => void,
    rewriteSignedBytes?: (signedBytes: Uint8Array) => Uint8Array,
  ): Promise<Uint8Array> {
    let signedBytes = real.signedBytes
    let signature = real.signature
    let attestationKey = real.attestationKey
    const qeReportBytes: Uint8Array<ArrayBuffer> = Uint8Array.from(real.qeReportBytes)
    if (editSignedBytes || rewriteSignedBytes) {
      signedBytes = Uint8Array.from(real.signedBytes)
      editSignedBytes?.(signedBytes)
      if (rewriteSignedBytes) signedBytes = Uint8Array.from(rewriteSignedBytes(signedBytes))
      const attestationKeys = await keyPair()
      attestationKey = new Uint8Array(
        await crypto.subtle.exportKey('raw', attestationKeys.publicKey),
      ).subarray(1)
      signature = new Uint8Array(
        await crypto.subtle.sign(signing, attestationKeys.privateKey, Uint8Array.from(signedBytes)),
      )
      const binding = new Uint8Array(
        await crypto.subtle.digest(
          'SHA-256',
          Uint8Array.from(concatBytes(attestationKey, real.qeAuthData)),
        ),
      )
      qeReportBytes.fill(0, 320, 384)
      qeReportBytes.set(binding, 320)
    }
    const qeReportSignature = new Uint8Array(
      await crypto.subtle.sign(signing, pckKeys.privateKey, qeReportBytes),
    )
    const chainPem = stringToUtf8(`${pem(pck)}\n${pem(ca)}\n${pem(root)}\n`)
    const certification = concatBytes(
      qeReportBytes,
      qeReportSignature,
      u16(real.qeAuthData.length),
      real.qeAuthData,
      u16(5),
      u32(chainPem.length),
      chainPem,
    )
    const signatureData = concatBytes(
      signature,
      attestationKey,
      u16(6),
      u32(certification.length),
      certification,
    )
    return concatBytes(signedBytes, u32(signatureData.length), signatureData)
  }
  const quote = await issueQuote(parameters.editSignedBytes, parameters.rewriteSignedBytes)

  const resign = async (body: string) => ({
    body,
    signature: new Uint8Array(
      await crypto.subtle.sign(signing, tcbKeys.privateKey, Uint8Array.from(stringToUtf8(body))),
    ),
  })
  const crl = (issuer: X509Certificate, key: CryptoKey, serials: string[]) =>
    X509CrlGenerator.create({
      issuer: issuer.subject,
      thisUpdate: parameters.notBefore,
      nextUpdate: parameters.notAfter,
      entries: serials.map((serialNumber) => ({
        serialNumber,
        revocationDate: parameters.notBefore,
      })),
      signingKey: key,
      signingAlgorithm: signing,
    })
  const rootCrl = await crl(root, rootKeys.privateKey, [])
  const collateral: IntelCollateral = {
    tcbInfos: await Promise.all(
      parameters.collateral.tcbInfos.map((document) => resign(document.body)),
    ),
    qeIdentities: await Promise.all(
      parameters.collateral.qeIdentities.map((document) => resign(document.body)),
    ),
    crls: [rootCrl, await crl(ca, caKeys.privateKey, ['7777'])],
    certificates: [tcbSigner, root],
  }
  return {
    root: new X509Certificate(root.rawData),
    tcbSigner,
    quote,
    collateral,
    pck,
    revokingCollateral: {
      ...collateral,
      crls: [rootCrl, await crl(ca, caKeys.privateKey, ['7777', pck.serialNumber])],
    },
    issueQuote: (editSignedBytes) => issueQuote(editSignedBytes),
    signDocument: resign,
  }
}
