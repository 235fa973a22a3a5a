import { loadProviders } from '../../data/loadProviders.ts'
import { HashText, LoadState } from '../components/basics.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatAmount, hardwareName } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'

/** Providers, their stake (what they can lose if they fail an order) and what they sell. */
export function ProvidersPage() {
  const { chain, head, token } = useExplorer()
  const state = useLoad(() => loadProviders(chain), [head])
  return html`<h1>Providers</h1>
    <p class="intro">A provider runs TEE machines and stakes the payment token: accepting an order locks part of the stake, which is slashed if it misses the deadline.</p>
    <${LoadState} state=${state} what="the providers" />
    ${
      state.value &&
      html`<table data-testid="providers">
        <thead><tr><th>provider</th><th>active stake</th><th>locked by orders</th><th>unstaking</th><th>TEE offers</th><th>enclaves</th></tr></thead>
        <tbody>
          ${state.value.map(
            (provider) => html`<tr>
              <td><${HashText} value=${provider.provider} full /></td>
              <td>${formatAmount(provider.stake.active, token)}</td>
              <td>${formatAmount(provider.stake.locked, token)}</td>
              <td>${formatAmount(provider.stake.unstaking, token)}</td>
              <td>${provider.teeOffers.map((offer) => html`<div>#${offer.offerId} ${hardwareName(offer.hardware)}, ${formatAmount(offer.price, token)}</div>`)}</td>
              <td>${provider.enclaves.map((enclave) => html`<div><${HashText} value=${enclave} href=${`#/enclaves/${enclave}`} /></div>`)}</td>
            </tr>`,
          )}
        </tbody>
      </table>`
    }
    ${state.value?.length === 0 ? html`<p>No provider has staked yet.</p>` : ''}`
}
