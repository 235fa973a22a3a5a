import type { TimelineStep } from '../../data/loadOrderTimeline.ts'
import { formatTime } from '../format.ts'
import { html } from '../html.ts'
import { HashText } from './basics.ts'

/** An order's lifecycle as a vertical timeline, one step per event, with block, time and transaction. */
export function Timeline(props: { steps: TimelineStep[]; pending?: string[] }) {
  return html`<ol class="timeline">
    ${props.steps.map(
      (step) => html`<li class=${`step step-${step.kind}`} data-kind=${step.kind}>
        <div class="step-title">${step.title}</div>
        <div class="step-when">block ${step.blockNumber.toString()} · ${formatTime(step.time)} · tx <${HashText} value=${step.transactionHash} /></div>
        <div class="step-description">${step.description}</div>
      </li>`,
    )}
    ${(props.pending ?? []).map(
      (line) =>
        html`<li class="step step-pending"><div class="step-description">${line}</div></li>`,
    )}
  </ol>`
}
