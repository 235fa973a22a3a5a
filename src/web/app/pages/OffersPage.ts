import { zeroHash } from 'viem'
import { listCatalogOffers } from '../../../chain/actions/catalog/listCatalogOffers.ts'
import { listTeeOffers } from '../../../chain/actions/market/listTeeOffers.ts'
import { HashText, LoadState } from '../components/basics.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatAmount, hardwareName } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'

/** Hardware kinds a solution offer's mask allows, by name. */
function hardwareOfMask(mask: number): string {
  const kinds = [0, 1, 2, 3, 4].filter((kind) => mask & (1 << kind)).map(hardwareName)
  return kinds.length ? kinds.join(', ') : 'none'
}

/** TEE offers (machines), solution offers (models) and data offers, with prices and restrictions. */
export function OffersPage() {
  const { chain, head, token } = useExplorer()
  const state = useLoad(async () => {
    const [tee, catalog] = await Promise.all([listTeeOffers(chain), listCatalogOffers(chain)])
    return { tee, ...catalog }
  }, [head])
  const active = (yes: boolean) => (yes ? 'active' : 'inactive')
  return html`<h1>Offers</h1>
    <${LoadState} state=${state} what="the offers" />
    ${
      state.value &&
      html`<h2>TEE offers</h2>
      <p class="intro">Machines for sale: one hardware kind, a price per order, and how many orders at once.</p>
      <table data-testid="tee-offers">
        <thead><tr><th>offer</th><th>provider</th><th>hardware</th><th>price per order</th><th>capacity</th><th>running</th><th>version</th><th>state</th></tr></thead>
        <tbody>${state.value.tee.map(
          (offer) => html`<tr>
            <td>#${offer.offerId}</td>
            <td><${HashText} value=${offer.provider} /></td>
            <td>${hardwareName(offer.hardware)}</td>
            <td>${formatAmount(offer.price, token)}</td>
            <td>${offer.capacity}</td>
            <td>${offer.activeOrders}</td>
            <td>${offer.version}</td>
            <td>${active(offer.active)}</td>
          </tr>`,
        )}</tbody>
      </table>
      <h2>Solution offers</h2>
      <p class="intro">Models and programs, named by the hash of their bundle, with the hardware and runtime they may run on.</p>
      <table data-testid="solution-offers">
        <thead><tr><th>offer</th><th>vendor</th><th>solution hash</th><th>price</th><th>hardware</th><th>required runtime</th><th>state</th></tr></thead>
        <tbody>${state.value.solutions.map(
          (offer) => html`<tr>
            <td>#${offer.offerId}</td>
            <td><${HashText} value=${offer.owner} /></td>
            <td><${HashText} value=${offer.solutionHash} /></td>
            <td>${formatAmount(offer.price, token)}</td>
            <td>${hardwareOfMask(offer.hardwareMask)}</td>
            <td>${offer.requiredMeasurement === zeroHash ? 'any allowed' : html`<${HashText} value=${offer.requiredMeasurement} />`}</td>
            <td>${active(offer.active)}${offer.restrictTeeOffers ? ', some TEE offers only' : ''}</td>
          </tr>`,
        )}</tbody>
      </table>
      <h2>Data offers</h2>
      <table data-testid="data-offers">
        <thead><tr><th>offer</th><th>vendor</th><th>data hash</th><th>price</th><th>state</th></tr></thead>
        <tbody>${state.value.data.map(
          (offer) => html`<tr>
            <td>#${offer.offerId}</td>
            <td><${HashText} value=${offer.owner} /></td>
            <td><${HashText} value=${offer.dataHash} /></td>
            <td>${formatAmount(offer.price, token)}</td>
            <td>${active(offer.active)}${offer.restrictSolutions ? ', some solutions only' : ''}${offer.restrictTeeOffers ? ', some TEE offers only' : ''}</td>
          </tr>`,
        )}</tbody>
      </table>
      ${state.value.data.length === 0 ? html`<p>No data offer yet.</p>` : ''}`
    }`
}
