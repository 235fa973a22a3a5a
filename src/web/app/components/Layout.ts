import type { ComponentChildren } from 'preact'
import { useExplorer } from '../explorerContext.ts'
import { html } from '../html.ts'
import type { Route } from '../router.ts'
import { WalletControls } from './WalletControls.ts'

const sections: [string, string, Route['page'][]][] = [
  ['#/', 'Overview', ['overview']],
  ['#/providers', 'Providers', ['providers']],
  ['#/offers', 'Offers', ['offers']],
  ['#/enclaves', 'Enclaves', ['enclaves', 'enclave']],
  ['#/orders', 'Orders', ['orders', 'order']],
  ['#/measurements', 'Transparency log', ['measurements']],
  ['#/new-order', 'New order', ['new-order']],
]

/** The frame of every page: the sections, the live block, the wallet, and which policy applies. */
export function Layout(props: { route: Route; children: ComponentChildren }) {
  const { config, head, chain } = useExplorer()
  return html`<header class="top">
      <a class="brand" href="#/">BOCC explorer</a>
      <nav>
        ${sections.map(
          ([href, label, pages]) =>
            html`<a href=${href} class=${pages.includes(props.route.page) ? 'current' : ''}>${label}</a>`,
        )}
      </nav>
      <div class="top-right">
        <span class="live" data-testid="head" title="the page follows the chain block by block">
          chain ${chain.chain.id} · block ${head.toString()}
        </span>
        <${WalletControls} />
      </div>
    </header>
    ${
      config.developmentPolicy
        ? html`<p class="banner banner-dev" data-testid="network-banner">
            Development network: the TEE is <strong>simulated</strong>. This page applies the
            network’s development policy, which accepts it; a simulated TEE protects nothing.
          </p>`
        : html`<p class="banner" data-testid="network-banner">
            Production policy: only real TEE hardware passes verification.
          </p>`
    }
    <main>${props.children}</main>`
}
