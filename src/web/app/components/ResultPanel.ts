import { useState } from 'preact/hooks'
import { type FetchedResult, fetchResult } from '../../../client/fetchResult.ts'
import type { OrderRecord } from '../../../client/readOrder.ts'
import type { HpkeKeyPair } from '../../../crypto/hpke.ts'
import { shortMessageOf } from '../../../errors.ts'
import { decodeOrderRequest } from '../../../protocol/orderRequest.ts'
import { resultKeyFromInput } from '../../data/resultKeyInput.ts'
import { useExplorer } from '../explorerContext.ts'
import { html } from '../html.ts'

/**
 * Decrypts a completed order's result in this page: the output from the blob store (checked
 * against the receipt's hash) opened with the customer's result key, which never leaves the page.
 */
export function ResultPanel(props: { record: OrderRecord }) {
  const { blobs, chain, resultKeys } = useExplorer()
  const [keyText, setKeyText] = useState('')
  const [accountKey, setAccountKey] = useState('')
  const [state, setState] = useState<{ busy?: boolean; result?: FetchedResult; error?: string }>({})
  const kept = resultKeys.get(props.record.orderId)
  const { terms } = props.record

  const decrypt = async () => {
    setState({ busy: true })
    try {
      let resultKey: HpkeKeyPair
      if (kept) resultKey = kept
      else {
        const request = decodeOrderRequest(await blobs.get(terms.requestHash))
        resultKey = await resultKeyFromInput({
          text: keyText,
          accountKey,
          order: {
            chainId: chain.chain.id,
            market: chain.deployment.contracts.market,
            requestHash: terms.requestHash,
            resultPublicKey: request.resultPublicKey,
          },
        })
      }
      setState({ result: await fetchResult({ order: props.record, blobs, resultKey }) })
    } catch (error) {
      setState({ error: shortMessageOf(error) })
    }
  }
  const readFileInto = (set: (text: string) => void) => async (event: Event) => {
    const file = (event.target as HTMLInputElement).files?.[0]
    if (file) set(await file.text())
  }

  return html`<section class="result" data-testid="result">
    <h2>Result</h2>
    <p class="intro">
      Only the customer can read the result: it is sealed to the result key the customer made when
      ordering. The key is used in this page only; nothing you give here is sent anywhere.
    </p>
    ${
      kept
        ? html`<p>This page placed the order and holds its result key in memory.</p>`
        : html`<label>
            Result key (0x and 64 hex digits), or the CLI's sealed key file
            <textarea data-testid="result-key" rows="3" spellcheck="false" value=${keyText}
              onInput=${(event: Event) => setKeyText((event.target as HTMLTextAreaElement).value)}></textarea>
          </label>
          <label>or pick the key file <input type="file" data-testid="result-key-file" onChange=${readFileInto(setKeyText)} /></label>
          ${
            keyText.trim().startsWith('{')
              ? html`<label>
                  A sealed key file opens with the account that placed the order: its key file
                  <input type="file" data-testid="account-key-file" onChange=${readFileInto(setAccountKey)} />
                </label>`
              : ''
          }`
    }
    <button type="button" data-testid="decrypt" disabled=${state.busy || (!kept && !keyText.trim())} onClick=${decrypt}>
      ${state.busy ? 'decrypting…' : 'decrypt the result'}
    </button>
    ${state.error ? html`<p class="error" role="alert">${state.error}</p>` : ''}
    ${
      state.result &&
      html`<div class="plaintext" data-testid="plaintext">
        <p class="ok">Decrypted and authenticated: ${state.result.result.lines.length} lines of recognised text.</p>
        <ol>${state.result.result.lines.map(
          (line) =>
            html`<li><span class="line-text">${line.text}</span> <span class="confidence">${Math.round(line.confidence * 100)} %</span></li>`,
        )}</ol>
      </div>`
    }
  </section>`
}
