import { EvidenceFormatError } from '../errors.ts'
import { extensionValue, type X509Certificate } from '../x509/certificates.ts'
import {
  type DerItem,
  derInteger,
  derObjectIdentifier,
  derTag,
  readDerItem,
  readDerItems,
} from '../x509/der.ts'

/** What Intel's SGX extension (OID 1.2.840.113741.1.13.1) in a PCK certificate states about the platform. */
export type PckExtensions = {
  ppid: Uint8Array
  /** The 16 SGX TCB component SVNs the certificate was issued for. */
  sgxTcbComponents: number[]
  pceSvn: number
  cpuSvn: Uint8Array
  pceId: Uint8Array
  fmspc: Uint8Array
}

const sgxExtensionOid = '1.2.840.113741.1.13.1'

export function readPckExtensions(certificate: X509Certificate): PckExtensions {
  const value = extensionValue(certificate, sgxExtensionOid)
  if (!value) throw new EvidenceFormatError('The PCK certificate has no Intel SGX extension.')
  const fields = fieldsOf(value)
  if (!fields) throw new EvidenceFormatError('The PCK certificate SGX extension is malformed.')
  const tcbItem = fields.get(`${sgxExtensionOid}.2`)
  const tcbFields = tcbItem?.tag === derTag.sequence ? fieldsOfContents(tcbItem.value) : undefined
  if (!tcbFields)
    throw new EvidenceFormatError('The PCK certificate SGX extension has no readable TCB.')
  const sgxTcbComponents: number[] = []
  for (let index = 1; index <= 16; index++) {
    const svn = derInteger(tcbFields.get(`${sgxExtensionOid}.2.${index}`))
    if (svn === undefined)
      throw new EvidenceFormatError(`The PCK certificate TCB lacks SGX component ${index}.`)
    sgxTcbComponents.push(svn)
  }
  const pceSvn = derInteger(tcbFields.get(`${sgxExtensionOid}.2.17`))
  if (pceSvn === undefined)
    throw new EvidenceFormatError('The PCK certificate TCB lacks the PCESVN.')
  return {
    ppid: octets(fields.get(`${sgxExtensionOid}.1`), 'PPID', 16),
    sgxTcbComponents,
    pceSvn,
    cpuSvn: octets(tcbFields.get(`${sgxExtensionOid}.2.18`), 'CPUSVN', 16),
    pceId: octets(fields.get(`${sgxExtensionOid}.3`), 'PCE-ID', 2),
    fmspc: octets(fields.get(`${sgxExtensionOid}.4`), 'FMSPC', 6),
  }
}

/** A SEQUENCE OF SEQUENCE { OID, value } as a map from OID to value. */
function fieldsOf(bytes: Uint8Array): Map<string, DerItem> | undefined {
  const outer = readDerItem(bytes)
  if (outer?.tag !== derTag.sequence) return undefined
  return fieldsOfContents(outer.value)
}

function fieldsOfContents(contents: Uint8Array): Map<string, DerItem> | undefined {
  const entries = readDerItems(contents)
  if (!entries) return undefined
  const fields = new Map<string, DerItem>()
  for (const entry of entries) {
    if (entry.tag !== derTag.sequence) return undefined
    const parts = readDerItems(entry.value)
    const oid = derObjectIdentifier(parts?.[0])
    const value = parts?.[1]
    if (!oid || !value) return undefined
    fields.set(oid, value)
  }
  return fields
}

function octets(item: DerItem | undefined, name: string, length: number): Uint8Array {
  if (item?.tag !== derTag.octetString || item.value.length !== length)
    throw new EvidenceFormatError(
      `The PCK certificate SGX extension lacks a ${length}-byte ${name}.`,
    )
  return item.value
}
