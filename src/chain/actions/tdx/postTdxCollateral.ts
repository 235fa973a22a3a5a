import { type Address, type Hash, keccak256, type TransactionReceipt, toHex } from 'viem'
import { stringToUtf8 } from '../../../attestation/bytes.ts'
import type { IntelCollateral } from '../../../attestation/intel/collateral.ts'
import type { SignedJson } from '../../../attestation/intel/signedJson.ts'
import {
  commonNameOf,
  isCertificateValidAt,
  isSignedBy,
  publicKeyOf,
  type X509Certificate,
  type X509Crl,
} from '../../../attestation/x509/certificates.ts'
import { isValidEcdsaSignature } from '../../../attestation/x509/signatures.ts'
import { BoccError } from '../../../errors.ts'
import type { SignerConnection } from '../../connectChain.ts'
import { cacheTdxCertificate } from './cacheTdxCertificate.ts'
import { postTdxCrl } from './postTdxCrl.ts'
import { postTdxQeIdentity } from './postTdxQeIdentity.ts'
import { postTdxTcbInfo } from './postTdxTcbInfo.ts'

export type PostTdxCollateralParameters = {
  store: Address
  /**
   * What to post: every CRL, TCB info and QE identity in it, with the certificates it needs
   * (PCK CAs and TCB signing certificates, and the root they chain to) taken from `certificates`.
   * A quote's own PCK chain supplies the PCK CA where the collateral lacks it.
   */
  collateral: IntelCollateral
}

export type PostTdxCollateralReturnType = {
  receipts: TransactionReceipt[]
  /** The sum of gasUsed over every transaction. */
  gasUsed: bigint
}

export class TdxCollateralError extends BoccError {
  override name = 'TdxCollateralError'
}

const rootIssuedNames = [
  'Intel SGX PCK Platform CA',
  'Intel SGX PCK Processor CA',
  'Intel SGX TCB Signing',
]

/**
 * Posts a whole collateral bundle, in the order the store needs it: the certificates the root
 * issued, the root CRL, the PCK CRLs, then the QE identities and TCB infos, each with the TCB
 * signing certificate valid at the chain's time whose key verifies it. One transaction each.
 */
export async function postTdxCollateral(
  connection: SignerConnection,
  parameters: PostTdxCollateralParameters,
): Promise<PostTdxCollateralReturnType> {
  const { store, collateral } = parameters
  const at = new Date(Number((await connection.publicClient.getBlock()).timestamp) * 1000)
  const receipts: TransactionReceipt[] = []
  const certificates = uniqueByDer(collateral.certificates)
  const rootIssued: X509Certificate[] = []
  for (const certificate of certificates) {
    if (certificate.issuer === certificate.subject) continue
    if (!rootIssuedNames.includes(commonNameOf(certificate))) continue
    if (!isCertificateValidAt(certificate, at)) continue
    const issuer = certificates.find((candidate) => candidate.subject === certificate.issuer)
    if (!issuer || !(await isSignedBy(certificate, issuer))) continue
    receipts.push(
      (await cacheTdxCertificate(connection, { store, certificate: derOf(certificate) })).receipt,
    )
    rootIssued.push(certificate)
  }

  const crls = [...collateral.crls].sort(
    (a, b) =>
      Number(isRootCrl(b, certificates)) - Number(isRootCrl(a, certificates)) ||
      a.thisUpdate.getTime() - b.thisUpdate.getTime(),
  )
  for (const crl of crls) {
    const issuer = await issuerOf(crl, certificates)
    const issuerCertificateHash =
      issuer.issuer === issuer.subject ? undefined : keccak256(derOf(issuer))
    receipts.push(
      (
        await postTdxCrl(connection, {
          store,
          crl: new Uint8Array(crl.rawData),
          issuerCertificateHash,
        })
      ).receipt,
    )
  }

  for (const qeIdentity of collateral.qeIdentities) {
    const signerCertificateHash = await signerOf(qeIdentity, rootIssued, at)
    receipts.push(
      (await postTdxQeIdentity(connection, { store, qeIdentity, signerCertificateHash })).receipt,
    )
  }
  for (const tcbInfo of collateral.tcbInfos) {
    const signerCertificateHash = await signerOf(tcbInfo, rootIssued, at)
    receipts.push(
      (await postTdxTcbInfo(connection, { store, tcbInfo, signerCertificateHash })).receipt,
    )
  }
  return { receipts, gasUsed: receipts.reduce((sum, receipt) => sum + receipt.gasUsed, 0n) }
}

function derOf(certificate: X509Certificate): Uint8Array {
  return new Uint8Array(certificate.rawData)
}

function uniqueByDer(certificates: X509Certificate[]): X509Certificate[] {
  const seen = new Set<string>()
  return certificates.filter((certificate) => {
    const key = toHex(derOf(certificate))
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function isRootCrl(crl: X509Crl, certificates: X509Certificate[]): boolean {
  return certificates.some(
    (certificate) =>
      certificate.subject === crl.issuer && certificate.issuer === certificate.subject,
  )
}

async function issuerOf(crl: X509Crl, certificates: X509Certificate[]): Promise<X509Certificate> {
  for (const certificate of certificates)
    if (certificate.subject === crl.issuer && (await isSignedBy(crl, certificate)))
      return certificate
  throw new TdxCollateralError(`no certificate in the collateral issued the CRL of ${crl.issuer}`)
}

/** The cached TCB signing certificate, valid at `at`, whose key verifies `document`. */
async function signerOf(document: SignedJson, signers: X509Certificate[], at: Date): Promise<Hash> {
  const body = stringToUtf8(document.body)
  for (const signer of signers) {
    if (commonNameOf(signer) !== 'Intel SGX TCB Signing') continue
    if (await isValidEcdsaSignature(publicKeyOf(signer), document.signature, body, 'SHA-256'))
      return keccak256(derOf(signer))
  }
  throw new TdxCollateralError(
    `no TCB signing certificate valid at ${at.toISOString()} in the collateral verifies a document's signature`,
  )
}
