import { hexToBytes, latin1ToString } from './bytes.ts'
import { checkEvidenceSize } from './limits.ts'

/**
 * Evidence as bytes, whichever form it came in: binary, or hex text (with or without `0x`,
 * whitespace and trailing NUL padding allowed). Binary trailing padding stays: each parser
 * reads only the length its format states. Evidence beyond `inputLimits.evidenceBytes` is
 * refused before it is read; the work done is linear in the input.
 */
export function readEvidence(input: Uint8Array): Uint8Array {
  checkEvidenceSize(input)
  if (input.length < 2) return input
  const text = latin1ToString(input.subarray(0, lengthWithoutPadding(input))).trim()
  if (!/^(0x)?[0-9a-fA-F\s]+$/.test(text)) return input
  return hexToBytes(text.replace(/\s+/g, '')) ?? input
}

/**
 * The length of `bytes` without trailing NULs and whitespace, scanning back once from the end (a
 * regular expression anchored at the end would retry from every NUL: quadratic in the padding).
 */
export function lengthWithoutPadding(bytes: ArrayLike<number>): number {
  let end = bytes.length
  for (;;) {
    const byte = end > 0 ? bytes[end - 1] : undefined
    if (byte !== 0 && byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return end
    end--
  }
}
