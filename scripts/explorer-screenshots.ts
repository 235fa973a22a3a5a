// Regenerates the explorer screenshots the README shows (`npm run screenshots`): a development
// network with a real OCR order, the explorer serving it, and Debian's headless Chromium.
//
//   docs/explorer-order.png     an order's page: lifecycle, payouts, verification in the browser
//   docs/explorer-enclaves.png  the enclaves list, with TCB status from evidence verified in the page
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { formatOrderId } from '../src/protocol/orderTerms.ts'
import { chromiumLaunchOptions, skipWithoutChromium } from '../test/support/chromium.ts'
import { startExplorerNetwork } from '../test/web/explorerNetwork.ts'

if (skipWithoutChromium) {
  process.stderr.write(`screenshots: ${skipWithoutChromium}\n`)
  process.exit(1)
}
const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url))
const net = await startExplorerNetwork()
const browser = await chromium.launch(chromiumLaunchOptions)
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await page.goto(`${net.explorer.url}#/orders/${formatOrderId(net.completed.placed.orderId)}`)
  await page.locator('[data-testid=verification] [data-verified=true]').waitFor({ timeout: 60_000 })
  await page.screenshot({ path: docs('explorer-order.png'), fullPage: true })
  await page.goto(`${net.explorer.url}#/enclaves`)
  await page.getByText('none: simulated TEE').waitFor({ timeout: 30_000 })
  await page.screenshot({
    path: docs('explorer-enclaves.png'),
    clip: { x: 0, y: 0, width: 1280, height: 360 },
  })
  console.log(`${docs('explorer-order.png')}\n${docs('explorer-enclaves.png')}`)
} finally {
  await browser.close()
  await net.stop()
}
