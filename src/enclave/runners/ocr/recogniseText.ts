import Ocr, { FileUtilsBase, ImageRawBase, registerBackend } from '@gutenye/ocr-common'
import { splitIntoLineImages } from '@gutenye/ocr-common/splitIntoLineImages'
import { InferenceSession } from 'onnxruntime-node'
import sharp from 'sharp'
import { BoccError } from '../../../errors.ts'
import { isSupportedImage } from './isSupportedImage.ts'

/** One recognised line of text with the model's mean confidence. */
export type RecognisedLine = { text: string; confidence: number }

/** The PaddleOCR models and dictionary, as the bundle's files. */
export type OcrModelFiles = {
  detection: Uint8Array
  recognition: Uint8Array
  dictionary: Uint8Array
}

export type OcrEngine = { recognise(image: Uint8Array): Promise<RecognisedLine[]> }

export class UnsupportedImageError extends BoccError {
  override name = 'UnsupportedImageError'
  constructor() {
    super('the input is not a PNG or JPEG image')
  }
}

/**
 * Creates a PaddleOCR engine over the in-memory bundle. The model and the image never touch the
 * disk: ONNX Runtime loads the hashed model bytes and sharp decodes the image from memory.
 */
export async function createOcrEngine(files: OcrModelFiles): Promise<OcrEngine> {
  // libvips's operation cache keeps decoded images (plaintext) and grows the resident set from
  // order to order: off. One libvips thread per operation: the job's process is its own unit.
  sharp.cache(false)
  sharp.concurrency(1)
  // The OCR library asks its backend for files by path; these names map to the hashed bytes.
  const memoryFiles = new Map<string, Uint8Array>([
    ['bundle:detection', files.detection],
    ['bundle:recognition', files.recognition],
    ['bundle:dictionary', files.dictionary],
  ])
  const fileOf = (name: string) => {
    const bytes = memoryFiles.get(name)
    if (!bytes) throw new BoccError(`the OCR bundle has no file ${name}`)
    return bytes
  }
  class MemoryFileUtils extends FileUtilsBase {
    static override async read(name: string) {
      return new TextDecoder().decode(fileOf(name))
    }
  }
  class MemoryImageRaw extends ImageRawBase {
    static async open(image: Uint8Array) {
      const raw = await sharp(image).ensureAlpha(1).raw().toBuffer({ resolveWithObject: true })
      return new MemoryImageRaw({ data: raw.data, width: raw.info.width, height: raw.info.height })
    }
    async resize(size: { width?: number; height?: number }) {
      const raw = await sharp(this.data, {
        raw: { width: this.width, height: this.height, channels: 4 },
      })
        .resize({ width: size.width, height: size.height, fit: 'contain' })
        .raw()
        .toBuffer({ resolveWithObject: true })
      this.data = raw.data
      this.width = raw.info.width
      this.height = raw.info.height
      return this
    }
    // Debug output would write plaintext images to disk: refused inside the enclave.
    async write(): Promise<never> {
      throw new BoccError('writing images is disabled in the enclave')
    }
    async drawBox(): Promise<never> {
      throw new BoccError('drawing debug boxes is disabled in the enclave')
    }
  }
  registerBackend({
    FileUtils: MemoryFileUtils,
    ImageRaw: MemoryImageRaw,
    InferenceSession: {
      create: (name: string, options: InferenceSession.SessionOptions) =>
        InferenceSession.create(fileOf(name), options),
    },
    splitIntoLineImages,
    defaultModels: {
      detectionPath: 'bundle:detection',
      recognitionPath: 'bundle:recognition',
      dictionaryPath: 'bundle:dictionary',
    },
  } as unknown as Parameters<typeof registerBackend>[0])
  const ocr = await Ocr.create({})
  return {
    async recognise(image) {
      if (!isSupportedImage(image)) throw new UnsupportedImageError()
      // The library types the image as a path; its backend (above) takes the bytes themselves.
      const lines = await ocr.detect(image as unknown as string)
      return lines.map((line) => ({ text: line.text, confidence: line.mean }))
    },
  }
}
