import { listCatalogOffers } from '../../../chain/actions/catalog/listCatalogOffers.ts'
import { getProviders } from '../../../chain/actions/market/getProviders.ts'
import { listTeeOffers } from '../../../chain/actions/market/listTeeOffers.ts'
import { getMeasurementLog } from '../../../chain/actions/registry/getMeasurementLog.ts'
import { getRegisteredEnclaves } from '../../../chain/actions/registry/getRegisteredEnclaves.ts'
import { loadOrders } from '../../data/loadOrders.ts'
import { Facts, HashText, LoadState } from '../components/basics.ts'
import { useExplorer } from '../explorerContext.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'
import { OrderRows } from './OrdersPage.ts'

/** The network at a glance: what it holds, where it lives, and the latest orders. */
export function OverviewPage() {
  const { chain, config, head } = useExplorer()
  const state = useLoad(async () => {
    const [providers, teeOffers, catalog, enclaves, log, orders] = await Promise.all([
      getProviders(chain),
      listTeeOffers(chain),
      listCatalogOffers(chain),
      getRegisteredEnclaves(chain),
      getMeasurementLog(chain),
      loadOrders(chain),
    ])
    return { providers, teeOffers, catalog, enclaves, log, orders }
  }, [head])
  const { contracts } = config.deployment
  return html`<h1>Network</h1>
    <${LoadState} state=${state} what="the network" />
    ${
      state.value &&
      html`<div class="counts">
        <a class="count" href="#/providers"><strong>${state.value.providers.length}</strong> providers</a>
        <a class="count" href="#/offers"><strong>${state.value.teeOffers.length}</strong> TEE offers</a>
        <a class="count" href="#/offers"><strong>${state.value.catalog.solutions.length + state.value.catalog.data.length}</strong> solution and data offers</a>
        <a class="count" href="#/enclaves"><strong>${state.value.enclaves.length}</strong> enclaves</a>
        <a class="count" href="#/orders"><strong>${state.value.orders.length}</strong> orders</a>
        <a class="count" href="#/measurements"><strong>${state.value.log.length}</strong> log entries</a>
      </div>
      <h2>Latest orders</h2>
      <${OrderRows} orders=${state.value.orders.slice(0, 5)} />`
    }
    <h2>Deployment</h2>
    <${Facts}
      rows=${[
        ['chain', String(config.deployment.chainId)],
        ['RPC', html`<code>${config.rpcUrl}</code>`],
        ['blob store', html`<code>${config.blobStoreUrl}</code>`],
        ['market', html`<${HashText} value=${contracts.market} full />`],
        ['enclave registry', html`<${HashText} value=${contracts.registry} full />`],
        ['catalog', html`<${HashText} value=${contracts.catalog} full />`],
        ['payment token', html`<${HashText} value=${contracts.token} full />`],
        [
          'governance',
          html`timelock <${HashText} value=${contracts.timelock} /> · multisig <${HashText} value=${contracts.safe} />`,
        ],
        ['deployed at block', config.deployment.fromBlock.toString()],
      ]}
    />`
}
