import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import { build } from 'esbuild'
import { type Browser, chromium, type Page } from 'playwright-core'

const chromiumPath = '/usr/bin/chromium'

/** Why the browser tests skip on this machine, or false when Debian's Chromium is there. */
export const skipWithoutChromium = existsSync(chromiumPath)
  ? false
  : 'Debian chromium is not installed (apt-get install chromium)'

/** `source` (TypeScript importing the project's modules) bundled for browsers by esbuild. */
export async function bundleForBrowser(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]?.text ?? ''
}

/** Debian's Chromium, with flags that keep it from calling home: this machine reaches no network. */
export const chromiumLaunchOptions = {
  executablePath: chromiumPath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

export type BrowserPage = { page: Page; url: string; close(): Promise<void> }

/** Headless Chromium showing a page, served from 127.0.0.1, that runs `script`. */
export async function openPageInChromium(script: string): Promise<BrowserPage> {
  const html = `<!doctype html><meta charset="utf-8"><title>BOCC</title><script>${script.replaceAll('</script', '<\\/script')}</script>`
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(html)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
  let browser: Browser | undefined
  try {
    browser = await chromium.launch(chromiumLaunchOptions)
    const page = await browser.newPage()
    await page.goto(url)
    const opened = browser
    return {
      page,
      url,
      async close() {
        await opened.close()
        await new Promise((resolve) => server.close(resolve))
      },
    }
  } catch (error) {
    await browser?.close()
    await new Promise((resolve) => server.close(resolve))
    throw error
  }
}
