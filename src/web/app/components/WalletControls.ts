import { useState } from 'preact/hooks'
import { shortMessageOf } from '../../../errors.ts'
import { connectWallet, devWalletProvider, type Eip1193Provider } from '../../data/connectWallet.ts'
import { useExplorer } from '../explorerContext.ts'
import { html } from '../html.ts'
import { HashText } from './basics.ts'

/**
 * Read-only until the visitor connects a wallet: an injected EIP-1193 wallet, or on a development
 * network served from 127.0.0.1 one of its dev accounts (the page's server signs for it).
 */
export function WalletControls() {
  const { chain, config, signer, setSigner } = useExplorer()
  const [error, setError] = useState<string>()
  const injected = (globalThis as { ethereum?: Eip1193Provider }).ethereum
  const devAccounts = config.devWallet?.accounts ?? []
  const connect = async (provider: Eip1193Provider, address?: `0x${string}`) => {
    setError(undefined)
    try {
      setSigner(await connectWallet(chain, provider, address))
    } catch (failure) {
      setError(shortMessageOf(failure))
    }
  }
  if (signer) {
    const role = devAccounts.find(
      (account) => account.address.toLowerCase() === signer.account.address.toLowerCase(),
    )?.role
    return html`<div class="wallet" data-testid="wallet">
      acting as <${HashText} value=${signer.account.address} />${role ? html` (${role}, dev key)` : ''}
      <button type="button" onClick=${() => setSigner(undefined)}>disconnect</button>
    </div>`
  }
  return html`<div class="wallet" data-testid="wallet">
    <span class="read-only">read-only</span>
    ${injected ? html`<button type="button" onClick=${() => connect(injected)}>connect wallet</button>` : ''}
    ${
      devAccounts.length > 0
        ? html`<select
            aria-label="act as a dev account"
            data-testid="dev-account"
            onChange=${(event: Event) => {
              const address = (event.target as HTMLSelectElement).value as `0x${string}`
              if (address) void connect(devWalletProvider(), address)
            }}
          >
            <option value="">act as a dev account…</option>
            ${devAccounts.map(
              (account) => html`<option value=${account.address}>${account.role}</option>`,
            )}
          </select>`
        : ''
    }
    ${error ? html`<span class="error" role="alert">${error}</span>` : ''}
  </div>`
}
