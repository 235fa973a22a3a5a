import { AttestationCheckError } from './errors.ts'
import type { Check } from './types.ts'

/** The steps of one verification, in order: each passes with a detail or stops the verification. */
export class CheckList {
  readonly checks: Check[] = []

  pass(name: string, detail: string): void {
    this.checks.push({ name, ok: true, detail })
  }

  /** Records the failure and stops the verification with an AttestationCheckError. */
  fail(name: string, detail: string): never {
    throw new AttestationCheckError(name, detail)
  }

  /** Records a failure raised elsewhere (an AttestationCheckError thrown by a check function). */
  record(error: AttestationCheckError): void {
    this.checks.push({ name: error.check, ok: false, detail: error.shortMessage })
  }
}
