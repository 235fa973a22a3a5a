import { shortMessageOf } from '../errors.ts'
import { AttestationCheckError } from './errors.ts'
import type { Check, EvidenceVerdict, TeeKind } from './types.ts'

/** The detail of a check that was not reached because an earlier one failed. */
export const notRunDetail = 'not run: an earlier check failed'

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

  /**
   * After a failure, lists the checks that were not reached, so a verdict always names every
   * check of its kind of evidence.
   */
  markNotRun(names: readonly string[]): void {
    for (const name of names)
      if (!this.checks.some((check) => check.name === name))
        this.checks.push({ name, ok: false, detail: notRunDetail })
  }

  /** Records a failure raised elsewhere (an AttestationCheckError thrown by a check function). */
  record(error: AttestationCheckError): void {
    this.checks.push({ name: error.check, ok: false, detail: error.shortMessage })
  }
}

/**
 * The verdict for evidence that could not even be parsed: its structure check failed with the
 * error's one-line message, and every later check of its kind is listed as not run.
 */
export function unreadableEvidenceVerdict(parameters: {
  tee: TeeKind
  structureCheck: string
  laterChecks: readonly string[]
  error: unknown
}): EvidenceVerdict {
  const message = shortMessageOf(parameters.error)
  return {
    ok: false,
    tee: parameters.tee,
    advisoryIds: [],
    debug: false,
    measurement: {},
    reportData: '0x',
    checks: [
      { name: parameters.structureCheck, ok: false, detail: message },
      ...parameters.laterChecks.map((name) => ({ name, ok: false, detail: notRunDetail })),
    ],
    error: message,
  }
}
