import { EvidenceFormatError } from './errors.ts'

/**
 * Reads little-endian fields from evidence bytes, refusing to read past the end: every
 * truncation becomes an EvidenceFormatError naming the field, never an exception from a typed array.
 */
export class ByteReader {
  readonly bytes: Uint8Array
  offset: number
  readonly #what: string

  constructor(bytes: Uint8Array, what: string, offset = 0) {
    this.bytes = bytes
    this.offset = offset
    this.#what = what
  }

  get remaining(): number {
    return this.bytes.length - this.offset
  }

  take(length: number, field: string): Uint8Array {
    if (length < 0 || this.offset + length > this.bytes.length)
      throw new EvidenceFormatError(
        `${this.#what} is truncated: ${field} needs ${length} bytes at offset ${this.offset}, ${Math.max(0, this.remaining)} left.`,
      )
    const out = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    return out
  }

  u8(field: string): number {
    return this.take(1, field)[0] as number
  }

  u16(field: string): number {
    const b = this.take(2, field)
    return (b[0] as number) | ((b[1] as number) << 8)
  }

  u32(field: string): number {
    const b = this.take(4, field)
    return (
      ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16)) +
      (b[3] as number) * 2 ** 24
    )
  }

  u64(field: string): bigint {
    const b = this.take(8, field)
    let value = 0n
    for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(b[i] as number)
    return value
  }
}
