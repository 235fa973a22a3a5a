import { useEffect, useMemo, useState } from 'preact/hooks'
import type { BoccSigner } from '../../chain/boccChain.ts'
import type { HpkeKeyPair } from '../../crypto/hpke.ts'
import { Layout } from './components/Layout.ts'
import { type Explorer, ExplorerContext } from './explorerContext.ts'
import { html } from './html.ts'
import { EnclavePage } from './pages/EnclavePage.ts'
import { EnclavesPage } from './pages/EnclavesPage.ts'
import { MeasurementsPage } from './pages/MeasurementsPage.ts'
import { NewOrderPage } from './pages/NewOrderPage.ts'
import { OffersPage } from './pages/OffersPage.ts'
import { OrderPage } from './pages/OrderPage.ts'
import { OrdersPage } from './pages/OrdersPage.ts'
import { OverviewPage } from './pages/OverviewPage.ts'
import { ProvidersPage } from './pages/ProvidersPage.ts'
import { type Route, useRoute } from './router.ts'

/** How often the page looks for a new block (each one refreshes what is shown). */
const blockPollingMs = 1_000

export type AppProperties = Omit<Explorer, 'head' | 'signer' | 'setSigner' | 'resultKeys'> & {
  head: bigint
}

/** The explorer: follows the chain block by block and shows the page the URL names. */
export function App(props: AppProperties) {
  const [head, setHead] = useState(props.head)
  const [signer, setSigner] = useState<BoccSigner>()
  const resultKeys = useMemo(() => new Map<bigint, HpkeKeyPair>(), [])
  useEffect(
    () =>
      props.chain.publicClient.watchBlockNumber({
        onBlockNumber: setHead,
        poll: true,
        pollingInterval: blockPollingMs,
        emitMissed: false,
      }),
    [props.chain],
  )
  const route = useRoute()
  const explorer: Explorer = { ...props, head, signer, setSigner, resultKeys }
  return html`<${ExplorerContext.Provider} value=${explorer}>
    <${Layout} route=${route}>${pageOf(route)}<//>
  <//>`
}

function pageOf(route: Route) {
  switch (route.page) {
    case 'overview':
      return html`<${OverviewPage} />`
    case 'providers':
      return html`<${ProvidersPage} />`
    case 'offers':
      return html`<${OffersPage} />`
    case 'enclaves':
      return html`<${EnclavesPage} />`
    case 'enclave':
      return html`<${EnclavePage} enclave=${route.enclave} />`
    case 'orders':
      return html`<${OrdersPage} />`
    case 'order':
      return html`<${OrderPage} orderId=${route.orderId} />`
    case 'measurements':
      return html`<${MeasurementsPage} />`
    case 'new-order':
      return html`<${NewOrderPage} />`
    case 'not-found':
      return html`<p class="error" role="alert">There is no page ${route.path}.</p>`
  }
}
