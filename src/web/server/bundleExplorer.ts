import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { BoccError } from '../../errors.ts'

/** The explorer's files as a browser gets them: its page, script and style sheet. */
export type ExplorerAssets = { script: string; styleSheet: string }

const appFolder = new URL('../app/', import.meta.url)

let bundling: Promise<ExplorerAssets> | undefined

/**
 * The explorer's browser code bundled by esbuild (preact, viem, the chain actions, the client's
 * verifier and crypto), once per process. The bundle holds no configuration and no key: a page
 * learns where it points from `config.json` beside it.
 */
export function bundleExplorer(): Promise<ExplorerAssets> {
  bundling ??= bundle().catch((error) => {
    bundling = undefined
    throw error
  })
  return bundling
}

async function bundle(): Promise<ExplorerAssets> {
  const [result, styleSheet] = await Promise.all([
    build({
      entryPoints: [fileURLToPath(new URL('main.ts', appFolder))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      write: false,
      logLevel: 'silent',
    }).catch((error) => {
      throw new BoccError('the explorer could not be bundled', { cause: error })
    }),
    readFile(new URL('explorer.css', appFolder), 'utf8'),
  ])
  const script = result.outputFiles[0]?.text
  if (!script) throw new BoccError('the explorer bundle is empty')
  return { script, styleSheet }
}
