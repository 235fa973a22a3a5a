import { hexToBytes, latin1ToString } from './bytes.ts'

/**
 * Evidence as bytes, whichever form it came in: binary, or hex text (with or without `0x`,
 * whitespace and trailing NUL padding allowed). Binary trailing padding stays: each parser
 * reads only the length its format states.
 */
export function readEvidence(input: Uint8Array): Uint8Array {
  if (input.length < 2) return input
  const text = latin1ToString(input.length > 65536 ? input.subarray(0, 65536) : input)
    .replace(/\0+$/, '')
    .trim()
  if (input.length > 65536 || !/^(0x)?[0-9a-fA-F\s]+$/.test(text)) return input
  return hexToBytes(text.replace(/\s+/g, '')) ?? input
}
