import { extensionValue, type X509Certificate } from '../x509/certificates.ts'
import { derInteger, derTag, readDerItem } from '../x509/der.ts'

/** What AMD's extensions in a VCEK or VLEK state: the TCB it was issued for and, for a VCEK, the chip. */
export type VcekExtensions = {
  productName?: string
  bootloader?: number
  tee?: number
  snp?: number
  microcode?: number
  fmc?: number
  /** The chip ID (64 bytes on Milan and Genoa, 8 on Turin); VCEK only. */
  hwId?: Uint8Array
}

const amdOid = '1.3.6.1.4.1.3704.1'

export function readVcekExtensions(certificate: X509Certificate): VcekExtensions {
  const integer = (oid: string) => {
    const value = extensionValue(certificate, `${amdOid}.${oid}`)
    return value ? derInteger(readDerItem(value)) : undefined
  }
  const out: VcekExtensions = {}
  const name = extensionValue(certificate, `${amdOid}.2`)
  const nameItem = name ? readDerItem(name) : undefined
  if (nameItem?.tag === derTag.ia5String) out.productName = new TextDecoder().decode(nameItem.value)
  const fields = {
    bootloader: '3.1',
    tee: '3.2',
    snp: '3.3',
    microcode: '3.8',
    fmc: '3.9',
  } as const
  for (const [field, oid] of Object.entries(fields) as [keyof typeof fields, string][]) {
    const value = integer(oid)
    if (value !== undefined) out[field] = value
  }
  const hwId = extensionValue(certificate, `${amdOid}.4`)
  if (hwId) {
    // AMD encodes hwID as the raw octets; accept an OCTET STRING wrapper too.
    const item = readDerItem(hwId)
    out.hwId =
      item?.tag === derTag.octetString && (item.value.length === 64 || item.value.length === 8)
        ? item.value
        : hwId
  }
  return out
}
