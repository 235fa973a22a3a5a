import { BoccError } from '../errors.ts'

/** Evidence bytes that are not a well-formed quote or report of a kind BOCC knows. */
export class EvidenceFormatError extends BoccError {
  override name = 'EvidenceFormatError'
}

/** Collateral or certificates that cannot be read, or that are missing for a verification. */
export class CollateralError extends BoccError {
  override name = 'CollateralError'
}

/**
 * One verification step failed: a signature, a chain, a date, a revocation or a TCB rule.
 * `check` names the step as it appears in the verdict's `checks`.
 */
export class AttestationCheckError extends BoccError {
  override name = 'AttestationCheckError'
  readonly check: string

  constructor(check: string, shortMessage: string) {
    super(shortMessage)
    this.check = check
  }
}
