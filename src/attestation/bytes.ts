import type { Hex } from 'viem'

/** Lower-case hex of `bytes`, with the `0x` prefix. */
export function toHex(bytes: Uint8Array): Hex {
  let out = '0x'
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out as Hex
}

/** Lower-case hex of `bytes`, without a prefix (the form Intel's JSON collateral uses, case aside). */
export function toPlainHex(bytes: Uint8Array): string {
  return toHex(bytes).slice(2)
}

/** Bytes of a hex string (with or without `0x`); undefined when it is not hex of whole bytes. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  const digits = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return undefined
  const out = new Uint8Array(digits.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function isAllZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false
  return true
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** `bytes` as an ArrayBuffer-backed view WebCrypto accepts. */
export function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : Uint8Array.from(bytes)
}

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', asBufferSource(bytes)))
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false })
const latin1Decoder = new TextDecoder('latin1')

export function utf8ToString(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes)
}

export function latin1ToString(bytes: Uint8Array): string {
  return latin1Decoder.decode(bytes)
}

export function stringToUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}
