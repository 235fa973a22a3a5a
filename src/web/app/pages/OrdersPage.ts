import type { OrderRecord } from '../../../client/readOrder.ts'
import { formatOrderId, orderTotal } from '../../../protocol/orderTerms.ts'
import { loadOrders } from '../../data/loadOrders.ts'
import { HashText, LoadState } from '../components/basics.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatAmount, statusName } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'

/** A table of orders, newest first, each linking to its page. */
export function OrderRows(props: { orders: OrderRecord[] }) {
  const { token } = useExplorer()
  if (props.orders.length === 0) return html`<p>No order yet.</p>`
  return html`<table data-testid="orders">
    <thead><tr><th>order</th><th>status</th><th>customer</th><th>enclave</th><th>escrow</th><th>created at block</th></tr></thead>
    <tbody>${props.orders.map((order) => {
      const id = formatOrderId(order.orderId)
      return html`<tr data-order=${id}>
        <td><${HashText} value=${id} href=${`#/orders/${id}`} /></td>
        <td class=${`status status-${order.status}`}>${statusName(order.status)}</td>
        <td><${HashText} value=${order.terms.customer} /></td>
        <td><${HashText} value=${order.terms.enclave} href=${`#/enclaves/${order.terms.enclave}`} /></td>
        <td>${formatAmount(orderTotal(order.terms), token)}</td>
        <td>${order.blocks.created.toString()}</td>
      </tr>`
    })}</tbody>
  </table>`
}

/** Every order on the market, live. */
export function OrdersPage() {
  const { chain, head } = useExplorer()
  const state = useLoad(() => loadOrders(chain), [head])
  return html`<h1>Orders</h1>
    <${LoadState} state=${state} what="the orders" />
    ${state.value && html`<${OrderRows} orders=${state.value} />`}`
}
