import { type Check, type CheckScore, checkTiers, scoreOf } from '../attestation/checks.ts'

const symbols: Record<Check['status'], string> = {
  passed: '✔',
  failed: '✘',
  'not-run': '·',
  'not-applicable': '–',
}

/** The score line, e.g. `score: 11/11 applicable checks passed`, computed from the checks. */
export function formatScore(score: CheckScore): string {
  const rest = [
    score.failed ? `${score.failed} failed` : undefined,
    score.notRun ? `${score.notRun} not run` : undefined,
  ].filter(Boolean)
  return `score: ${score.passed}/${score.applicable} applicable checks passed${rest.length ? ` (${rest.join(', ')})` : ''}${score.notApplicable ? `; ${score.notApplicable} not applicable` : ''}`
}

/**
 * Checks for the terminal, grouped by tier in the tiers' order, each on one line with a symbol
 * for its status (✔ passed, ✘ failed, · not run, – not applicable), then the score line. Every
 * command that prints checks prints them with this.
 */
export function formatChecks(checks: readonly Check[], indent = ''): string {
  const lines: string[] = []
  for (const tier of checkTiers) {
    const inTier = checks.filter((check) => check.tier === tier)
    if (inTier.length === 0) continue
    lines.push(`${indent}${tier}`)
    for (const check of inTier)
      lines.push(`${indent}  ${symbols[check.status]} ${check.name}: ${check.explanation}`)
  }
  lines.push(`${indent}${formatScore(scoreOf(checks))}`)
  return lines.join('\n')
}

/** The same as data, for `--json`: the checks in order and the score computed from them. */
export function checksJson(checks: readonly Check[]): { checks: Check[]; score: CheckScore } {
  return { checks: [...checks], score: scoreOf(checks) }
}
