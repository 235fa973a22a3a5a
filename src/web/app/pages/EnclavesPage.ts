import type { Address } from 'viem'
import type { EvidenceVerdict } from '../../../attestation/types.ts'
import { verifyEnclave } from '../../../client/verifyEnclave.ts'
import { loadEnclaves } from '../../data/loadEnclaves.ts'
import { pagePolicy } from '../../data/pagePolicy.ts'
import { HashText, LoadState } from '../components/basics.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatTime, hardwareName } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'

/** The TCB status a verdict reports, in words. */
export function tcbStatusOf(verdict: EvidenceVerdict): string {
  if (verdict.tee === 'sim') return 'none: simulated TEE'
  if (verdict.status) return verdict.status
  if (verdict.tcb)
    return Object.entries(verdict.tcb)
      .map(([component, version]) => `${component} ${version}`)
      .join(', ')
  return 'not reported'
}

/** Verifies one enclave's evidence in this browser, as the page's policy judges it now. */
export function useEnclaveVerification(enclave: Address, dependencies: unknown[] = []) {
  const { chain, blobs, config } = useExplorer()
  return useLoad(async () => {
    const { policy } = await pagePolicy(config, chain, new Date())
    return verifyEnclave(chain, { enclave, blobs, policy })
  }, [enclave, ...dependencies])
}

/** An enclave's TCB status, from its evidence verified in this browser. */
function TcbStatus(props: { enclave: Address }) {
  const state = useEnclaveVerification(props.enclave)
  if (state.error) return html`<span class="error">evidence unreadable</span>`
  if (!state.value) return html`<span class="loading">verifying…</span>`
  return html`<span class=${state.value.ok ? 'ok' : 'bad'}>${tcbStatusOf(state.value.verdict)}${state.value.ok ? '' : ' (not verified)'}</span>`
}

/** Every registered enclave: its hardware, runtime measurement, TCB status and expiry. */
export function EnclavesPage() {
  const { chain, head } = useExplorer()
  const state = useLoad(() => loadEnclaves(chain), [head])
  return html`<h1>Enclaves</h1>
    <p class="intro">An enclave is a TEE instance whose keys the verifier committee approved after checking its evidence. Its address signs receipts; data keys are sealed to its HPKE key.</p>
    <${LoadState} state=${state} what="the enclaves" />
    ${
      state.value &&
      html`<table data-testid="enclaves">
        <thead><tr><th>enclave</th><th>provider</th><th>hardware</th><th>measurement</th><th>TCB status</th><th>expires</th><th>state</th></tr></thead>
        <tbody>${state.value.map(
          ({ enclave, record, usable }) => html`<tr>
            <td><${HashText} value=${enclave} href=${`#/enclaves/${enclave}`} /></td>
            <td><${HashText} value=${record.provider} /></td>
            <td>${hardwareName(record.hardware)}</td>
            <td><${HashText} value=${record.measurement} /></td>
            <td><${TcbStatus} enclave=${enclave} /></td>
            <td>${formatTime(record.expiresAt)}</td>
            <td>${record.status === 2 ? `revoked${record.revokedByCommittee ? ' by the committee' : ''}` : usable ? 'usable' : 'not usable'}</td>
          </tr>`,
        )}</tbody>
      </table>`
    }
    ${state.value?.length === 0 ? html`<p>No enclave is registered yet.</p>` : ''}`
}
