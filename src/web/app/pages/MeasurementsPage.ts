import { getMeasurementLog } from '../../../chain/actions/registry/getMeasurementLog.ts'
import { HashText, LoadState } from '../components/basics.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatTime } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'

/** The measurement transparency log: every runtime allowed, where it comes from, from when, and removals. */
export function MeasurementsPage() {
  const { chain, head } = useExplorer()
  const state = useLoad(async () => {
    const [entries, block] = await Promise.all([
      getMeasurementLog(chain),
      chain.publicClient.getBlock(),
    ])
    return { entries, now: Number(block.timestamp) }
  }, [head])
  return html`<h1>Measurement transparency log</h1>
    <p class="intro">The runtime measurements enclaves may run, as governance listed them on-chain. An addition takes effect only after the governance delay, so anyone can see it coming; a removal is immediate. Each entry names where its build can be reproduced from.</p>
    <${LoadState} state=${state} what="the transparency log" />
    ${
      state.value &&
      html`<ol class="log" data-testid="measurement-log">
        ${state.value.entries.map((entry) =>
          entry.kind === 'proposed'
            ? html`<li class="log-proposed" data-kind="proposed">
                <strong>listed</strong> <${HashText} value=${entry.measurement} full />
                <div>takes effect ${formatTime(entry.effectiveAt)}${entry.effectiveAt <= (state.value?.now ?? 0) ? ' (in effect)' : ' (not yet in effect)'}</div>
                <div>provenance: <code>${entry.provenanceUri || 'none given'}</code></div>
                <div class="step-when">block ${entry.blockNumber.toString()} · tx <${HashText} value=${entry.transactionHash} /></div>
              </li>`
            : html`<li class="log-removed" data-kind="removed">
                <strong>removed</strong> <${HashText} value=${entry.measurement} full />
                <div class="step-when">block ${entry.blockNumber.toString()} · tx <${HashText} value=${entry.transactionHash} /></div>
              </li>`,
        )}
      </ol>`
    }`
}
