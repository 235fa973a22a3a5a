import type { NamedBlob } from '../../../protocol/namedBlobs.ts'
import type { SolutionManifest } from '../../../protocol/solutionBundle.ts'
import { InputRejectedError } from '../native/inputRejected.ts'
import { createOcrEngine, UnsupportedImageError } from './recogniseText.ts'

/**
 * The `ocr` runner: PaddleOCR over the bundle's detection and recognition models and dictionary
 * (the manifest's `files` roles). Its first input is the image; its first output the recognised
 * lines as UTF-8 JSON `{ kind: "ocr", version: 1, lines: [{ text, confidence }] }`.
 */
export async function createOcrSolve(
  manifest: SolutionManifest,
  file: (path: string) => Uint8Array,
) {
  const role = (name: string) => {
    const path = manifest.files?.[name]
    if (!path) throw new Error(`the ocr runner needs a "${name}" file role`)
    return file(path)
  }
  const engine = await createOcrEngine({
    detection: role('detection'),
    recognition: role('recognition'),
    dictionary: role('dictionary'),
  })
  const [input] = manifest.inputs
  const [output] = manifest.outputs
  return async (inputs: NamedBlob[]): Promise<NamedBlob[]> => {
    const image = inputs.find((item) => item.name === input?.name)
    if (!image || !output) throw new InputRejectedError('the order has no image input')
    let lines: Awaited<ReturnType<typeof engine.recognise>>
    try {
      lines = await engine.recognise(image.bytes)
    } catch (error) {
      if (error instanceof UnsupportedImageError) throw new InputRejectedError(error.shortMessage)
      throw new InputRejectedError('the image could not be decoded')
    }
    const text = JSON.stringify({ kind: 'ocr', version: 1, lines })
    return [{ name: output.name, bytes: new TextEncoder().encode(text) }]
  }
}
