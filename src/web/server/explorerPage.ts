import type { ExplorerConfig } from '../explorerConfig.ts'

/**
 * The Content-Security-Policy of an explorer page: its own files, and connections to its own
 * origin, its RPC and its blob store only, so the browser itself refuses any other request (no
 * font, CDN or analytics host can be reached, whatever a dependency tries).
 */
export function explorerContentSecurityPolicy(
  config: Pick<ExplorerConfig, 'rpcUrl' | 'blobStoreUrl'>,
): string {
  const origins = [
    ...new Set([config.rpcUrl, config.blobStoreUrl].map((url) => new URL(url).origin)),
  ]
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${origins.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ')
}

/** The explorer's one HTML page; the script routes by the URL's fragment (`#/orders/0x…`). */
export function explorerPage(config: Pick<ExplorerConfig, 'rpcUrl' | 'blobStoreUrl'>): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${explorerContentSecurityPolicy(config)}">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>BOCC explorer</title>
<link rel="stylesheet" href="explorer.css">
<script type="module" src="explorer.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading the BOCC explorer…</p></div>
<noscript>The BOCC explorer verifies orders in your browser and needs JavaScript.</noscript>
</body>
</html>
`
}
