import type { Hex } from 'viem'
import { shortHex } from '../format.ts'
import { html } from '../html.ts'
import type { Loaded } from '../useLoad.ts'

/** A hash or address: shortened in lists, whole where it matters, always whole in its title. */
export function HashText(props: { value: Hex; full?: boolean; href?: string }) {
  const text = props.full ? props.value : shortHex(props.value)
  return props.href
    ? html`<a class="hash" href=${props.href} title=${props.value}>${text}</a>`
    : html`<code class="hash" title=${props.value}>${text}</code>`
}

/** What a page shows while its data loads, or the one line of why it could not. */
export function LoadState(props: { state: Loaded<unknown>; what: string }) {
  if (props.state.error)
    return html`<p class="error" role="alert">Could not read ${props.what}: ${props.state.error}</p>`
  if (props.state.value === undefined) return html`<p class="loading">Reading ${props.what}…</p>`
  return null
}

/** A definition list of label → value rows. */
export function Facts(props: { rows: [string, unknown][] }) {
  return html`<dl class="facts">
    ${props.rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}
  </dl>`
}
