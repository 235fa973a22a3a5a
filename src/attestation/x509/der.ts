/**
 * A minimal DER reader for the vendor extensions inside certificates (Intel's SGX extension,
 * AMD's TCB extensions). It only walks tag-length-value items; every bound is checked and a
 * malformed item yields undefined, never an exception.
 */
export type DerItem = {
  tag: number
  /** The contents octets. */
  value: Uint8Array
}

/** The items one after another in `bytes`; undefined if any is malformed. */
export function readDerItems(bytes: Uint8Array): DerItem[] | undefined {
  const items: DerItem[] = []
  let offset = 0
  while (offset < bytes.length) {
    const tag = bytes[offset] as number
    if ((tag & 0x1f) === 0x1f) return undefined
    let length = bytes[offset + 1]
    if (length === undefined) return undefined
    offset += 2
    if (length & 0x80) {
      const count = length & 0x7f
      if (count === 0 || count > 3 || offset + count > bytes.length) return undefined
      length = 0
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + i] as number)
      offset += count
    }
    if (offset + length > bytes.length) return undefined
    items.push({ tag, value: bytes.subarray(offset, offset + length) })
    offset += length
  }
  return items
}

/** The single item that makes up `bytes`; undefined if there is not exactly one. */
export function readDerItem(bytes: Uint8Array): DerItem | undefined {
  const items = readDerItems(bytes)
  return items?.length === 1 ? items[0] : undefined
}

export const derTag = {
  integer: 0x02,
  octetString: 0x04,
  objectIdentifier: 0x06,
  enumerated: 0x0a,
  ia5String: 0x16,
  sequence: 0x30,
} as const

/** A non-negative INTEGER's value, if it fits a safe integer. */
export function derInteger(item: DerItem | undefined): number | undefined {
  if (item?.tag !== derTag.integer || item.value.length === 0 || item.value.length > 7)
    return undefined
  if ((item.value[0] as number) & 0x80) return undefined
  let value = 0
  for (const byte of item.value) value = value * 256 + byte
  return value
}

/** Dotted text of an OBJECT IDENTIFIER. */
export function derObjectIdentifier(item: DerItem | undefined): string | undefined {
  if (item?.tag !== derTag.objectIdentifier || item.value.length === 0) return undefined
  const arcs: number[] = []
  let arc = 0
  for (const byte of item.value) {
    arc = arc * 128 + (byte & 0x7f)
    if (arc > Number.MAX_SAFE_INTEGER / 256) return undefined
    if (!(byte & 0x80)) {
      arcs.push(arc)
      arc = 0
    }
  }
  const first = arcs.shift()
  if (first === undefined) return undefined
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80]
  return [...head, ...arcs].join('.')
}
