import { useState } from 'preact/hooks'
import { zeroAddress, zeroHash } from 'viem'
import { cancelOrder } from '../../../chain/actions/market/cancelOrder.ts'
import { getMarketSettings } from '../../../chain/actions/market/getMarketSettings.ts'
import { getTeeOffer } from '../../../chain/actions/market/getTeeOffer.ts'
import { refundOrder } from '../../../chain/actions/market/refundOrder.ts'
import { auditOrder } from '../../../client/auditOrder.ts'
import type { OrderRecord } from '../../../client/readOrder.ts'
import { shortMessageOf } from '../../../errors.ts'
import { formatOrderId, orderTotal, parseOrderId } from '../../../protocol/orderTerms.ts'
import { loadOrderTimeline } from '../../data/loadOrderTimeline.ts'
import { pagePolicy } from '../../data/pagePolicy.ts'
import { Facts, HashText, LoadState } from '../components/basics.ts'
import { ChecksReport } from '../components/ChecksReport.ts'
import { ResultPanel } from '../components/ResultPanel.ts'
import { Timeline } from '../components/Timeline.ts'
import { useExplorer } from '../explorerContext.ts'
import { formatAmount, formatTime, statusName } from '../format.ts'
import { html } from '../html.ts'
import { useLoad } from '../useLoad.ts'

/** One order: its lifecycle, terms, hashes and payouts, its verification in this browser, its result. */
export function OrderPage(props: { orderId: string }) {
  const orderId = parseOrderId(props.orderId)
  if (orderId === undefined)
    return html`<p class="error" role="alert">${props.orderId} is not an order id (0x and up to 64 hex digits).</p>`
  return html`<${OrderDetails} orderId=${orderId} />`
}

function OrderDetails(props: { orderId: bigint }) {
  const { chain, head, token } = useExplorer()
  const timeline = useLoad(async () => {
    const [loaded, block] = await Promise.all([
      loadOrderTimeline(chain, { orderId: props.orderId, tokenSymbol: token.symbol }),
      chain.publicClient.getBlock(),
    ])
    return { ...loaded, now: Number(block.timestamp) }
  }, [props.orderId, head])
  const id = formatOrderId(props.orderId)
  const record = timeline.value?.record
  return html`<h1>Order <${HashText} value=${id} full /></h1>
    <${LoadState} state=${timeline} what="the order" />
    ${
      record &&
      timeline.value &&
      html`<p class=${`status-badge status-${record.status}`} data-testid="order-status" data-status=${record.status}>
          ${statusName(record.status)}
        </p>
        <div class="columns">
          <section>
            <h2>Lifecycle</h2>
            <${Timeline} steps=${timeline.value.steps} pending=${pendingLines(record, timeline.value.now)} />
            <${OrderActions} record=${record} now=${timeline.value.now} />
          </section>
          <section>
            <h2>Terms and hashes</h2>
            <${OrderTerms} record=${record} />
            <h2>Payouts</h2>
            <${Payouts} record=${record} />
          </section>
        </div>
        <${Verification} record=${record} />
        ${record.status === 'completed' ? html`<${ResultPanel} record=${record} />` : ''}`
    }`
}

/** What the order waits for next, and until when. */
function pendingLines(record: OrderRecord, now: number): string[] {
  const { acceptBy, deadline } = record.terms
  if (record.status === 'created')
    return [
      now <= acceptBy
        ? `Waiting for the provider to accept, until ${formatTime(acceptBy)}.`
        : `Not accepted by ${formatTime(acceptBy)}: anyone may refund it now, without slashing.`,
    ]
  if (record.status === 'accepted')
    return [
      now <= deadline
        ? `The enclave is running it; a receipt must arrive by ${formatTime(deadline)}.`
        : `No receipt by ${formatTime(deadline)}: anyone may refund it now, and the provider is slashed unless excused.`,
    ]
  return []
}

function OrderTerms(props: { record: OrderRecord }) {
  const { terms, completion } = props.record
  const offer = (id: number) => (id === 0 ? 'none' : `#${id}`)
  return html`<${Facts}
    rows=${[
      ['customer', html`<${HashText} value=${terms.customer} full />`],
      [
        'enclave',
        html`<${HashText} value=${terms.enclave} href=${`#/enclaves/${terms.enclave}`} full />`,
      ],
      [
        'offers',
        `TEE ${offer(terms.teeOfferId)} · solution ${offer(terms.solutionOfferId)} · data ${offer(terms.dataOfferId)}`,
      ],
      ['accept by', formatTime(terms.acceptBy)],
      ['deadline', formatTime(terms.deadline)],
      ['order request', html`<${HashText} value=${terms.requestHash} full />`],
      ['input (ciphertext)', html`<${HashText} value=${terms.inputHash} full />`],
      ['solution', html`<${HashText} value=${terms.solutionHash} full />`],
      [
        'dataset',
        terms.dataHash === zeroHash ? 'none' : html`<${HashText} value=${terms.dataHash} full />`,
      ],
      ...(completion
        ? ([
            ['output (ciphertext)', html`<${HashText} value=${completion.outputHash} full />`],
            ['receipt signature', html`<${HashText} value=${completion.signature} />`],
            ['sealed result key', html`<${HashText} value=${completion.wrappedResultKey} />`],
          ] as [string, unknown][])
        : []),
    ]}
  />`
}

/** Who is paid what for this order, as its terms fix it, and what went back on a refund. */
function Payouts(props: { record: OrderRecord }) {
  const { chain, token } = useExplorer()
  const { terms, status, refund } = props.record
  const parties = useLoad(async () => {
    const [offer, settings] = await Promise.all([
      getTeeOffer(chain, { offerId: terms.teeOfferId }),
      getMarketSettings(chain),
    ])
    return { provider: offer?.provider, settings }
  }, [terms.teeOfferId])
  const paid = status === 'completed' || status === 'challenged'
  const rows: [string, unknown][] = [
    ['escrowed by the customer', formatAmount(orderTotal(terms), token)],
    [
      'TEE price → provider',
      html`${formatAmount(terms.teePrice, token)}${parties.value?.provider ? html` → <${HashText} value=${parties.value.provider} />` : ''}`,
    ],
  ]
  if (terms.solutionVendor !== zeroAddress)
    rows.push([
      'solution price → model vendor',
      html`${formatAmount(terms.solutionPrice, token)} → <${HashText} value=${terms.solutionVendor} />`,
    ])
  if (terms.dataVendor !== zeroAddress)
    rows.push([
      'data price → data vendor',
      html`${formatAmount(terms.dataPrice, token)} → <${HashText} value=${terms.dataVendor} />`,
    ])
  rows.push([
    'protocol fee',
    `${formatAmount(terms.fee, token)}${parties.value ? ` (${parties.value.settings.feeBps / 100} %)` : ''}`,
  ])
  rows.push([
    'state',
    paid
      ? `credited to the payees on delivery; withdrawable once the challenge window (${parties.value ? `${parties.value.settings.challengeWindow} s` : '…'}) has passed twice`
      : refund
        ? `refunded ${formatAmount(refund.amount, token)} to the customer${refund.slashed > 0n ? `, and ${formatAmount(refund.slashed, token)} slashed from the provider` : ''}`
        : ['failed', 'cancelled', 'handedBack'].includes(status)
          ? 'the escrow went back to the customer'
          : 'held in escrow by the market',
  ])
  return html`<${Facts} rows=${rows} />`
}

/** The full audit of the order (the CLI's `bocc verify order`), run in this browser. */
function Verification(props: { record: OrderRecord }) {
  const { chain, blobs, config } = useExplorer()
  const [run, setRun] = useState(0)
  const ended = ['completed', 'failed'].includes(props.record.status)
  const audit = useLoad(async () => {
    if (!ended && run === 0) return undefined
    const ranAt = props.record.blocks.accepted ?? props.record.blocks.created
    const block = await chain.publicClient.getBlock({ blockNumber: ranAt })
    const policy = await pagePolicy(config, chain, new Date(Number(block.timestamp) * 1000))
    const result = await auditOrder(chain, {
      orderId: props.record.orderId,
      blobs,
      policy: policy.policy,
    })
    return { ...result, policyDescription: policy.description }
  }, [props.record.orderId, props.record.status, run])
  return html`<section class="verification" data-testid="verification">
    <h2>Verification in this browser</h2>
    <p class="intro">
      This page re-checks the order from public data only, here, with the same verifier as${' '}
      <code>bocc verify order</code>: the enclave’s evidence and its binding to the enclave’s keys,
      the runtime against the allow-list at the order’s block, the key sealing, the enclave’s signed
      receipt, and the stored input and output against their hashes.
    </p>
    ${audit.value ? html`<p class="intro">${audit.value.policyDescription}</p>` : ''}
    ${!ended && run === 0 ? html`<p>The order has not ended yet; verify it once it has, or now to see how far it got.</p>` : ''}
    <button type="button" data-testid="verify" onClick=${() => setRun(run + 1)} disabled=${audit.loading}>
      ${audit.loading ? 'verifying…' : run === 0 && !ended ? 'verify now' : 'verify again'}
    </button>
    ${audit.error ? html`<p class="error" role="alert">The verification could not run: ${audit.error}</p>` : ''}
    ${audit.value && html`<${ChecksReport} checks=${audit.value.checks} />`}
  </section>`
}

/** Cancel or refund, when the connected wallet may and the order's deadlines allow. */
function OrderActions(props: { record: OrderRecord; now: number }) {
  const { signer } = useExplorer()
  const [state, setState] = useState<{ busy?: boolean; done?: string; error?: string }>({})
  const { record, now } = props
  if (!signer) return null
  const isCustomer = signer.account.address.toLowerCase() === record.terms.customer.toLowerCase()
  const canCancel = record.status === 'created' && isCustomer
  const refundDue =
    (record.status === 'created' && now > record.terms.acceptBy) ||
    (record.status === 'accepted' && now > record.terms.deadline)
  if (!canCancel && !refundDue) return null
  const act = async (label: string, action: () => Promise<{ hash: `0x${string}` }>) => {
    setState({ busy: true })
    try {
      const { hash } = await action()
      setState({ done: `${label}: transaction ${hash}` })
    } catch (error) {
      setState({ error: shortMessageOf(error) })
    }
  }
  return html`<div class="actions">
    ${canCancel ? html`<button type="button" data-testid="cancel" disabled=${state.busy} onClick=${() => act('cancelled', () => cancelOrder(signer, { terms: record.terms }))}>cancel the order</button>` : ''}
    ${refundDue ? html`<button type="button" data-testid="refund" disabled=${state.busy} onClick=${() => act('refunded', () => refundOrder(signer, { terms: record.terms }))}>refund the order</button>` : ''}
    ${state.done ? html`<p class="ok">${state.done}</p>` : ''}
    ${state.error ? html`<p class="error" role="alert">${state.error}</p>` : ''}
  </div>`
}
