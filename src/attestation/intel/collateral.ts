import { hexToBytes, latin1ToString, utf8ToString } from '../bytes.ts'
import { CollateralError } from '../errors.ts'
import { checkFileSizes } from '../limits.ts'
import {
  readCertificates,
  readCrls,
  type X509Certificate,
  type X509Crl,
} from '../x509/certificates.ts'
import { type SignedJson, topLevelMemberTexts } from './signedJson.ts'

/**
 * Everything offline Intel verification may draw on, recognised by content from raw files:
 * TCB infos and QE identities (signed JSON), CRLs, and certificates (issuer chains).
 * Several of each may be present; the verifier picks the ones that apply.
 */
export type IntelCollateral = {
  tcbInfos: SignedJson[]
  qeIdentities: SignedJson[]
  crls: X509Crl[]
  certificates: X509Certificate[]
}

export function emptyIntelCollateral(): IntelCollateral {
  return { tcbInfos: [], qeIdentities: [], crls: [], certificates: [] }
}

/**
 * Reads collateral from raw files, whatever their names: Intel PCS responses (TCB info JSON,
 * QE identity JSON, CRLs in DER, PEM or hex, issuer chains in PEM or URL-encoded PEM) and JSON
 * bundles laid out like dcap-qvl's `*_collateral.json`. A file that is none of these is an error.
 */
export function readIntelCollateral(files: (Uint8Array | NamedFile)[]): IntelCollateral {
  checkFileSizes(
    files.map((file) => (file instanceof Uint8Array ? file : file.bytes)),
    'collateral',
  )
  const collateral = emptyIntelCollateral()
  files.forEach((file, index) => {
    const { name, bytes } =
      file instanceof Uint8Array ? { name: `Collateral file ${index + 1}`, bytes: file } : file
    if (!addFile(collateral, bytes))
      throw new CollateralError(
        `${name} is not a TCB info, QE identity, CRL, certificate chain or collateral bundle.`,
      )
  })
  return collateral
}

/** A file with the name to use in messages about it. */
export type NamedFile = { name: string; bytes: Uint8Array }

function addFile(collateral: IntelCollateral, file: Uint8Array): boolean {
  const text = latin1ToString(file).trim()
  if (text.startsWith('{')) return addJson(collateral, utf8ToString(file).trim())
  if (text.includes('-----BEGIN') || text.includes('-----BEGIN%20')) {
    const certificates = readCertificates(file)
    const crls = readCrls(file)
    collateral.certificates.push(...certificates)
    collateral.crls.push(...crls)
    return certificates.length + crls.length > 0
  }
  const crls = readCrls(file)
  if (crls.length > 0) {
    collateral.crls.push(...crls)
    return true
  }
  const certificates = readCertificates(file)
  collateral.certificates.push(...certificates)
  return certificates.length > 0
}

function addJson(collateral: IntelCollateral, text: string): boolean {
  const members = topLevelMemberTexts(text)
  if (!members) return false
  const tcbInfo = members.get('tcbInfo')
  const enclaveIdentity = members.get('enclaveIdentity') ?? members.get('qeIdentity')
  const signature = signatureOf(members.get('signature'))
  if (tcbInfo && signature) {
    collateral.tcbInfos.push({ body: tcbInfo, signature })
    return true
  }
  if (enclaveIdentity && signature) {
    collateral.qeIdentities.push({ body: enclaveIdentity, signature })
    return true
  }
  if (members.has('tcb_info') || members.has('qe_identity')) return addBundle(collateral, text)
  return false
}

function signatureOf(memberText: string | undefined): Uint8Array | undefined {
  if (!memberText) return undefined
  try {
    const value: unknown = JSON.parse(memberText)
    const bytes = typeof value === 'string' ? hexToBytes(value) : undefined
    return bytes?.length === 64 ? bytes : undefined
  } catch {
    return undefined
  }
}

/** A dcap-qvl `QuoteCollateralV3` JSON bundle. */
function addBundle(collateral: IntelCollateral, text: string): boolean {
  let bundle: Record<string, unknown>
  try {
    bundle = JSON.parse(text)
  } catch {
    return false
  }
  const text_ = (key: string) =>
    typeof bundle[key] === 'string' ? (bundle[key] as string) : undefined
  const signedJson = (bodyKey: string, signatureKey: string): SignedJson | undefined => {
    const body = text_(bodyKey)
    const signature = hexToBytes(text_(signatureKey) ?? '')
    return body && signature?.length === 64 ? { body, signature } : undefined
  }
  const tcbInfo = signedJson('tcb_info', 'tcb_info_signature')
  const qeIdentity = signedJson('qe_identity', 'qe_identity_signature')
  if (tcbInfo) collateral.tcbInfos.push(tcbInfo)
  if (qeIdentity) collateral.qeIdentities.push(qeIdentity)
  for (const key of [
    'tcb_info_issuer_chain',
    'qe_identity_issuer_chain',
    'pck_crl_issuer_chain',
    'pck_certificate_chain',
  ]) {
    const chain = text_(key)
    if (chain) collateral.certificates.push(...readCertificates(new TextEncoder().encode(chain)))
  }
  for (const key of ['root_ca_crl', 'pck_crl']) {
    const crl = text_(key)
    if (crl) collateral.crls.push(...readCrls(hexToBytes(crl) ?? new TextEncoder().encode(crl)))
  }
  return tcbInfo !== undefined || qeIdentity !== undefined
}
