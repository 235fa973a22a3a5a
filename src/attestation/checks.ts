/**
 * The one check-list type of BOCC: every verifier, policy and audit reports its checks in this
 * shape, and every command prints them with one formatter (`src/cli/formatChecks.ts`). Pure and
 * import-free, so the enclave runtime's measured code can name it.
 */

/**
 * What became of one check: it ran and passed or failed; it does not apply to this evidence (or
 * its input was not given, which the explanation says); or it was not reached because an earlier
 * check failed.
 */
export type CheckStatus = 'passed' | 'failed' | 'not-applicable' | 'not-run'

/**
 * The groups a report shows checks in, in this order. The first four are the evidence's (what a
 * verifier of one TEE can establish); `order` holds the checks of one order (its chain record,
 * the allow-list at its block, its receipt), which build on the others.
 */
export const checkTiers = [
  'hardware authenticity',
  'key and channel binding',
  'gpu',
  'supply chain and transparency',
  'order',
] as const

export type CheckTier = (typeof checkTiers)[number]

/** One check of a verification, with a one-line explanation a non-expert can follow. */
export type Check = {
  name: string
  status: CheckStatus
  explanation: string
  tier: CheckTier
}

/** The explanation of a check that was not reached because an earlier one failed. */
export const notRunExplanation = 'not run: an earlier check failed'

/** A passed or failed check from a yes/no answer (for lists built outside a verifier). */
export function checkOf(
  name: string,
  passed: boolean,
  explanation: string,
  tier: CheckTier,
): Check {
  return { name, status: passed ? 'passed' : 'failed', explanation, tier }
}

/** True when no check failed or was left unrun: every one passed or does not apply. */
export function checksPassed(checks: readonly Check[]): boolean {
  return checks.every((check) => check.status === 'passed' || check.status === 'not-applicable')
}

/** How many checks applied, and what became of them. */
export type CheckScore = {
  passed: number
  failed: number
  notRun: number
  notApplicable: number
  /** Checks that apply: passed, failed and not run. */
  applicable: number
}

/** The score of a list of checks, computed from their statuses (never written by hand). */
export function scoreOf(checks: readonly Check[]): CheckScore {
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length
  const passed = count('passed')
  const failed = count('failed')
  const notRun = count('not-run')
  return {
    passed,
    failed,
    notRun,
    notApplicable: count('not-applicable'),
    applicable: passed + failed + notRun,
  }
}
