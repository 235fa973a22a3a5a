import { type Check, type CheckStatus, checkTiers, scoreOf } from '../../../attestation/checks.ts'
import { html } from '../html.ts'

const tierQuestions: Record<string, string> = {
  'hardware authenticity':
    'Is the evidence signed by genuine TEE hardware, in a secure mode and with up-to-date security fixes?',
  'key and channel binding':
    'Do the keys the data was sealed to belong to this very enclave, for this provider, on this chain?',
  gpu: 'Is the confidential GPU genuine, and bound to the same enclave?',
  'supply chain and transparency':
    'Is the software that ran one the public transparency log allowed, and the model the one ordered?',
  order:
    'Did the chain record this order, was its receipt signed by the enclave, and are its stored inputs and outputs the ones the chain names?',
}

const tierTitles: Record<string, string> = {
  'hardware authenticity': 'Hardware authenticity',
  'key and channel binding': 'Key and channel binding',
  gpu: 'Confidential GPU',
  'supply chain and transparency': 'Supply chain and transparency',
  order: 'The order',
}

const statusLabels: Record<CheckStatus, { mark: string; label: string }> = {
  passed: { mark: '✓', label: 'passed' },
  failed: { mark: '✗', label: 'failed' },
  'not-applicable': { mark: '–', label: 'not applicable' },
  'not-run': { mark: '…', label: 'not run' },
}

/**
 * Every check of a verification, grouped by tier with the question each tier answers, each as
 * passed, failed, not applicable or not run with its explanation, and the score counted from them.
 */
export function ChecksReport(props: { checks: Check[]; title?: string }) {
  const score = scoreOf(props.checks)
  const verified = score.failed === 0 && score.notRun === 0
  return html`<section class="checks" data-verified=${String(verified)}>
    <div class=${`verdict ${verified ? 'verdict-ok' : 'verdict-failed'}`} role="status">
      <strong>${verified ? 'Verified' : 'NOT verified'}</strong>
      <span class="score" data-testid="score">
        ${score.passed} of ${score.applicable} applicable checks passed${score.failed ? `, ${score.failed} failed` : ''}${score.notRun ? `, ${score.notRun} not run` : ''}; ${score.notApplicable} not applicable
      </span>
    </div>
    ${checkTiers.map((tier) => {
      const checks = props.checks.filter((check) => check.tier === tier)
      if (checks.length === 0) return null
      return html`<div class="tier" data-tier=${tier}>
        <h3>${tierTitles[tier] ?? tier}</h3>
        <p class="tier-question">${tierQuestions[tier]}</p>
        <ul>
          ${checks.map((check) => {
            const status = statusLabels[check.status]
            return html`<li class=${`check check-${check.status}`} data-status=${check.status}>
              <span class="mark" aria-hidden="true">${status.mark}</span>
              <span class="check-name">${check.name}</span>
              <span class="check-status">${status.label}</span>
              <span class="explanation">${check.explanation}</span>
            </li>`
          })}
        </ul>
      </div>`
    })}
  </section>`
}
