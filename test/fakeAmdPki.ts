/**
 * Test-only: a stand-in AMD key hierarchy (ARK → ASK/ASVK → VCEK/VLEK, RSA-PSS above, ECDSA
 * P-384 below) with keys the test holds, and SEV-SNP reports signed by it. It reaches cases the
 * real vectors do not hold: VLEK signing, the Turin TCB layout, mismatched TCB or chip ID.
 */
import 'reflect-metadata'
import {
  Extension,
  type X509Certificate,
  X509CertificateGenerator,
  X509CrlGenerator,
} from '@peculiar/x509'
import type { AmdProductLine, AmdTrustAnchors } from '../src/attestation/amd/roots.ts'

const amdOid = '1.3.6.1.4.1.3704.1'
const rsaPss = { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 } as const
const subject = (cn: string) =>
  `CN=${cn}, O=Advanced Micro Devices, L=Santa Clara, ST=CA, C=US, OU=Engineering`

function derInteger(value: number): Uint8Array<ArrayBuffer> {
  return value < 0x80 ? Uint8Array.of(0x02, 1, value) : Uint8Array.of(0x02, 2, 0, value)
}

function derIa5(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.of(0x16, text.length, ...new TextEncoder().encode(text))
}

export type FakeSnpTcb = {
  bootloader: number
  tee: number
  snp: number
  microcode: number
  fmc?: number
}

export type FakeAmdPki = {
  trustAnchors: Partial<Record<AmdProductLine, AmdTrustAnchors>>
  leafDer: Uint8Array
  /** The serial number of the ASK or ASVK. */
  intermediateSerial: string
  /** A CRL signed by the ARK, listing these serials. */
  issueArkCrl(revokedSerials: string[], thisUpdate: Date, nextUpdate: Date): Promise<Uint8Array>
  /** Signs a report: `edit` sets fields of a copy of `template` before signing. */
  signReport(
    template: Uint8Array,
    edit: (report: DataView, bytes: Uint8Array) => void,
  ): Promise<Uint8Array>
}

export async function createFakeAmdPki(parameters: {
  productLine: AmdProductLine
  signer: 'VCEK' | 'VLEK'
  tcb: FakeSnpTcb
  hwId?: Uint8Array
  notBefore: Date
  notAfter: Date
}): Promise<FakeAmdPki> {
  const { productLine, notBefore, notAfter } = parameters
  const rsaKeys = () =>
    crypto.subtle.generateKey(
      { ...rsaPss, modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) },
      true,
      ['sign', 'verify'],
    ) as Promise<CryptoKeyPair>
  const [arkKeys, askKeys] = await Promise.all([rsaKeys(), rsaKeys()])
  const leafKeys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const ark = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: subject(`ARK-${productLine}`),
    notBefore,
    notAfter,
    keys: arkKeys,
    signingAlgorithm: rsaPss,
  })
  const intermediateName =
    parameters.signer === 'VCEK' ? `SEV-${productLine}` : `SEV-VLEK-${productLine}`
  const intermediate = await X509CertificateGenerator.create({
    serialNumber: '02',
    subject: subject(intermediateName),
    issuer: ark.subject,
    notBefore,
    notAfter,
    publicKey: askKeys.publicKey,
    signingKey: arkKeys.privateKey,
    signingAlgorithm: rsaPss,
  })
  const { tcb } = parameters
  const extensions = [
    new Extension(`${amdOid}.1`, false, derInteger(0)),
    new Extension(`${amdOid}.2`, false, derIa5(productLine)),
    new Extension(`${amdOid}.3.1`, false, derInteger(tcb.bootloader)),
    new Extension(`${amdOid}.3.2`, false, derInteger(tcb.tee)),
    new Extension(`${amdOid}.3.3`, false, derInteger(tcb.snp)),
    new Extension(`${amdOid}.3.8`, false, derInteger(tcb.microcode)),
    ...(tcb.fmc === undefined ? [] : [new Extension(`${amdOid}.3.9`, false, derInteger(tcb.fmc))]),
    ...(parameters.hwId
      ? [new Extension(`${amdOid}.4`, false, Uint8Array.from(parameters.hwId))]
      : []),
  ]
  const leaf = await X509CertificateGenerator.create({
    serialNumber: '03',
    subject: subject(`SEV-${parameters.signer}`),
    issuer: intermediate.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: askKeys.privateKey,
    signingAlgorithm: rsaPss,
    extensions,
  })
  const pem = (certificate: X509Certificate) => certificate.toString('pem')
  return {
    trustAnchors: {
      [productLine]: {
        ark: pem(ark),
        ask: parameters.signer === 'VCEK' ? pem(intermediate) : '',
        asvk: parameters.signer === 'VLEK' ? pem(intermediate) : '',
      },
    },
    leafDer: new Uint8Array(leaf.rawData),
    intermediateSerial: intermediate.serialNumber,
    async issueArkCrl(revokedSerials, thisUpdate, nextUpdate) {
      const crl = await X509CrlGenerator.create({
        issuer: ark.subject,
        thisUpdate,
        nextUpdate,
        entries: revokedSerials.map((serialNumber) => ({
          serialNumber,
          revocationDate: thisUpdate,
        })),
        signingKey: arkKeys.privateKey,
        signingAlgorithm: rsaPss,
      })
      return new Uint8Array(crl.rawData)
    },
    async signReport(template, edit) {
      const bytes = Uint8Array.from(template)
      const view = new DataView(bytes.buffer)
      view.setUint32(0x48, parameters.signer === 'VCEK' ? 0 : 1 << 2, true)
      edit(view, bytes)
      const signature = new Uint8Array(
        await crypto.subtle.sign(
          { name: 'ECDSA', hash: 'SHA-384' },
          leafKeys.privateKey,
          bytes.subarray(0, 0x2a0),
        ),
      )
      bytes.fill(0, 0x2a0, 0x4a0)
      bytes.set(signature.subarray(0, 48).reverse(), 0x2a0)
      bytes.set(signature.subarray(48, 96).reverse(), 0x2a0 + 72)
      return bytes
    },
  }
}

/** REPORTED_TCB bytes in the product line's layout. */
export function encodeSnpTcb(tcb: FakeSnpTcb, productLine: AmdProductLine): Uint8Array {
  if (productLine === 'Turin')
    return Uint8Array.of(tcb.fmc ?? 0, tcb.bootloader, tcb.tee, tcb.snp, 0, 0, 0, tcb.microcode)
  return Uint8Array.of(tcb.bootloader, tcb.tee, 0, 0, 0, 0, tcb.snp, tcb.microcode)
}
