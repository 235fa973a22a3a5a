import { BoccError } from '../errors.ts'

/**
 * A list of named byte strings in one buffer: magic (8 bytes) ‖ u32 count ‖ per entry u16 name
 * length ‖ UTF-8 name ‖ u32 length ‖ bytes (big-endian integers). Solution bundles carry their
 * files this way and results their named outputs.
 */
export type NamedBlob = { name: string; bytes: Uint8Array }

export class MalformedNamedBlobsError extends BoccError {
  override name = 'MalformedNamedBlobsError'
}

export type NamedBlobsLimits = {
  /** At most this many entries. */
  maxEntries: number
  /** At most this many bytes in all. */
  maxBytes: number
}

export function encodeNamedBlobs(magic: string, entries: NamedBlob[]): Uint8Array {
  const magicBytes = new TextEncoder().encode(magic)
  const names = entries.map((entry) => new TextEncoder().encode(entry.name))
  const size =
    magicBytes.length +
    4 +
    entries.reduce((sum, entry, i) => sum + 2 + (names[i]?.length ?? 0) + 4 + entry.bytes.length, 0)
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  out.set(magicBytes)
  let offset = magicBytes.length
  view.setUint32(offset, entries.length)
  offset += 4
  entries.forEach((entry, i) => {
    const name = names[i] as Uint8Array
    if (name.length > 0xffff)
      throw new MalformedNamedBlobsError(`the name ${entry.name} is too long`)
    if (entry.bytes.length > 0xffffffff)
      throw new MalformedNamedBlobsError(`${entry.name} is over 4 GiB`)
    view.setUint16(offset, name.length)
    out.set(name, offset + 2)
    offset += 2 + name.length
    view.setUint32(offset, entry.bytes.length)
    out.set(entry.bytes, offset + 4)
    offset += 4 + entry.bytes.length
  })
  return out
}

/** Reads entries back; views into `bytes`, not copies. Refuses anything past the limits. */
export function decodeNamedBlobs(
  magic: string,
  bytes: Uint8Array,
  what: string,
  limits: NamedBlobsLimits,
): NamedBlob[] {
  const magicBytes = new TextEncoder().encode(magic)
  if (bytes.length < magicBytes.length + 4 || !magicBytes.every((byte, i) => bytes[i] === byte))
    throw new MalformedNamedBlobsError(`${what} does not start with ${magic}`)
  if (bytes.length > limits.maxBytes)
    throw new MalformedNamedBlobsError(`${what} is over ${limits.maxBytes} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = magicBytes.length
  const count = view.getUint32(offset)
  offset += 4
  if (count > limits.maxEntries)
    throw new MalformedNamedBlobsError(`${what} has ${count} entries, at most ${limits.maxEntries}`)
  const truncated = () => new MalformedNamedBlobsError(`${what} is truncated`)
  const entries: NamedBlob[] = []
  for (let i = 0; i < count; i++) {
    if (offset + 2 > bytes.length) throw truncated()
    const nameLength = view.getUint16(offset)
    offset += 2
    if (offset + nameLength + 4 > bytes.length) throw truncated()
    let name: string
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(
        bytes.subarray(offset, offset + nameLength),
      )
    } catch {
      throw new MalformedNamedBlobsError(`${what} has a name that is not UTF-8`)
    }
    offset += nameLength
    const length = view.getUint32(offset)
    offset += 4
    if (offset + length > bytes.length) throw truncated()
    entries.push({ name, bytes: bytes.subarray(offset, offset + length) })
    offset += length
  }
  if (offset !== bytes.length) throw new MalformedNamedBlobsError(`${what} has trailing bytes`)
  return entries
}
