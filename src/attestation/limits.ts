import { CollateralError, EvidenceFormatError } from './errors.ts'

/**
 * What every entry point accepts at most, checked before any work is done on the input, so a
 * caller cannot make verification cost more than these sizes allow. Real evidence is far below:
 * Intel quotes are 5–10 KB, SEV-SNP reports 1184 bytes, H100 SPDM evidence 8 KB, sim 181 bytes;
 * Intel's largest CRLs are tens of KB.
 */
export const inputLimits = {
  /** Evidence, binary or hex text. */
  evidenceBytes: 256 * 1024,
  /** One collateral or certificate file. */
  fileBytes: 2 * 1024 * 1024,
  /** All collateral, or all certificate files, of one verification together. */
  totalBytes: 16 * 1024 * 1024,
  /** Collateral or certificate files of one verification. */
  files: 256,
  /** A TDX event log (CCEL), with or without its ACPI table. */
  eventLogBytes: 4 * 1024 * 1024,
} as const

/** Refuses evidence larger than the limit before it is read. */
export function checkEvidenceSize(evidence: Uint8Array): void {
  if (evidence.length > inputLimits.evidenceBytes)
    throw new EvidenceFormatError(
      `The evidence is ${evidence.length} bytes; at most ${inputLimits.evidenceBytes} are accepted.`,
    )
}

/** Refuses a set of collateral or certificate files beyond the limits before any is read. */
export function checkFileSizes(files: readonly { length: number }[], what: string): void {
  if (files.length > inputLimits.files)
    throw new CollateralError(
      `${files.length} ${what} files were given; at most ${inputLimits.files} are accepted.`,
    )
  let total = 0
  for (const [index, file] of files.entries()) {
    if (file.length > inputLimits.fileBytes)
      throw new CollateralError(
        `${what} file ${index + 1} is ${file.length} bytes; at most ${inputLimits.fileBytes} are accepted per file.`,
      )
    total += file.length
  }
  if (total > inputLimits.totalBytes)
    throw new CollateralError(
      `The ${what} files hold ${total} bytes together; at most ${inputLimits.totalBytes} are accepted.`,
    )
}
