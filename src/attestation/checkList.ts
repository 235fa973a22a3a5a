import { shortMessageOf } from '../errors.ts'
import { type Check, type CheckTier, notRunExplanation } from './checks.ts'
import { AttestationCheckError } from './errors.ts'
import type { EvidenceVerdict, TeeKind } from './types.ts'

/**
 * The steps of one verification, in order, each with its tier: every check passes with an
 * explanation, fails (which stops the verification) or does not apply.
 */
export class CheckList {
  readonly checks: Check[] = []
  readonly #tiers: Readonly<Record<string, CheckTier>>

  /** `tiers` names every check this verification may record, in order, with its tier. */
  constructor(tiers: Readonly<Record<string, CheckTier>>) {
    this.#tiers = tiers
  }

  #tierOf(name: string): CheckTier {
    return this.#tiers[name] ?? 'hardware authenticity'
  }

  pass(name: string, explanation: string): void {
    this.checks.push({ name, status: 'passed', explanation, tier: this.#tierOf(name) })
  }

  notApplicable(name: string, explanation: string): void {
    this.checks.push({ name, status: 'not-applicable', explanation, tier: this.#tierOf(name) })
  }

  /** Records the failure and stops the verification with an AttestationCheckError. */
  fail(name: string, explanation: string): never {
    throw new AttestationCheckError(name, explanation)
  }

  /** Records a failure raised elsewhere (an AttestationCheckError thrown by a check function). */
  record(error: AttestationCheckError): void {
    this.checks.push({
      name: error.check,
      status: 'failed',
      explanation: error.shortMessage,
      tier: this.#tierOf(error.check),
    })
  }

  /**
   * After a failure, lists the checks that were not reached (all of `names`, or every check this
   * list knows), so a verdict always names every check of its kind of evidence.
   */
  markNotRun(names: readonly string[] = Object.keys(this.#tiers)): void {
    for (const name of names)
      if (!this.checks.some((check) => check.name === name))
        this.checks.push({
          name,
          status: 'not-run',
          explanation: notRunExplanation,
          tier: this.#tierOf(name),
        })
  }
}

/**
 * The verdict for evidence that could not even be parsed: its structure check failed with the
 * error's one-line message, and every later check of its kind is listed as not run.
 */
export function unreadableEvidenceVerdict(parameters: {
  tee: TeeKind
  structureCheck: string
  /** Every check of this kind of evidence with its tier, the structure check among them. */
  tiers: Readonly<Record<string, CheckTier>>
  error: unknown
}): EvidenceVerdict {
  const message = shortMessageOf(parameters.error)
  const checks = new CheckList(parameters.tiers)
  checks.record(new AttestationCheckError(parameters.structureCheck, message))
  checks.markNotRun()
  return {
    ok: false,
    tee: parameters.tee,
    advisoryIds: [],
    debug: false,
    measurement: {},
    reportData: '0x',
    checks: checks.checks,
    error: message,
  }
}
