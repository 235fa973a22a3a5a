import { type FailureReason, failureReasons } from './failureReasons.ts'
import type { InputDeclaration, SolutionManifest } from './solutionBundle.ts'

/**
 * The one check of an input against what its solution declares, run twice: by the customer's
 * client before it escrows anything, and by the enclave runtime on the decrypted input. It looks
 * at the size and, for images, at the header only (dimensions are never decoded from pixels), so
 * it is fast whatever the input.
 */
export type InputViolation = {
  reason: FailureReason
  /** For the customer: names the limit and the input's value. */
  message: string
  /** For the host's log: names the limit only, nothing of the input. */
  limit: string
}

/** How many leading bytes the check needs to see: the headers of PNG and of most JPEGs. */
export const inputHeadBytes = 1 << 16

export type InputSample = { size: number; head: Uint8Array }

export function checkInput(
  declaration: InputDeclaration,
  input: InputSample,
  runner: SolutionManifest['runner'],
): InputViolation | undefined {
  const { name } = declaration
  if (input.size > declaration.maxBytes)
    return {
      reason: failureReasons.inputOverLimits,
      message: `input "${name}" is ${input.size} bytes, the solution accepts at most ${declaration.maxBytes}`,
      limit: `input "${name}": at most ${declaration.maxBytes} bytes`,
    }
  if (runner === 'ocr' || declaration.maxPixels !== undefined) {
    const dimensions = imageDimensions(input.head)
    if (!dimensions)
      return {
        reason: failureReasons.inputRejected,
        message: `input "${name}" is not a PNG or JPEG image whose size its header gives`,
        limit: `input "${name}": a PNG or JPEG image`,
      }
    const pixels = dimensions.width * dimensions.height
    if (declaration.maxPixels !== undefined && pixels > declaration.maxPixels) {
      const side = Math.sqrt(declaration.maxPixels)
      const most = Number.isInteger(side) ? `${side}×${side}` : `${declaration.maxPixels} pixels`
      return {
        reason: failureReasons.inputOverLimits,
        message: `image is ${dimensions.width}×${dimensions.height} pixels, the solution accepts at most ${most}`,
        limit: `input "${name}": at most ${most} pixels`,
      }
    }
  }
  const tensor = declaration.tensor
  if (tensor?.format === 'raw') {
    const expected =
      tensor.shape.reduce((product, dim) => product * dim, 1) * elementSize[tensor.dtype]
    if (input.size !== expected)
      return {
        reason: failureReasons.inputRejected,
        message: `input "${name}" is ${input.size} bytes, a raw ${tensor.dtype} tensor of shape [${tensor.shape.join(', ')}] is ${expected}`,
        limit: `input "${name}": a raw ${tensor.dtype} tensor of shape [${tensor.shape.join(', ')}]`,
      }
  }
  return undefined
}

/** Checks the order's arguments against the manifest (none allowed unless it declares them). */
export function checkArguments(
  manifest: SolutionManifest,
  args: string[],
): InputViolation | undefined {
  const allowed = manifest.arguments ?? { maxCount: 0, maxBytes: 0 }
  const bytes = args.reduce((sum, arg) => sum + new TextEncoder().encode(arg).length, 0)
  if (args.length > allowed.maxCount || bytes > allowed.maxBytes)
    return {
      reason: failureReasons.inputOverLimits,
      message: `${args.length} arguments of ${bytes} bytes, the solution accepts at most ${allowed.maxCount} of ${allowed.maxBytes} bytes`,
      limit: `at most ${allowed.maxCount} arguments of ${allowed.maxBytes} bytes`,
    }
  return undefined
}

export const elementSize = {
  float32: 4,
  float64: 8,
  int32: 4,
  int64: 8,
  uint8: 1,
  int8: 1,
  bool: 1,
} as const

/** Width and height from a PNG's IHDR or a JPEG's start-of-frame marker; undefined otherwise. */
export function imageDimensions(head: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (head.length >= 24 && png.every((byte, i) => head[i] === byte)) {
    // The first chunk must be IHDR: width and height are its first two u32.
    if (String.fromCharCode(...head.subarray(12, 16)) !== 'IHDR') return undefined
    return { width: view.getUint32(16), height: view.getUint32(20) }
  }
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) {
    let offset = 2
    while (offset + 9 <= head.length) {
      if (head[offset] !== 0xff) return undefined
      const marker = head[offset + 1] as number
      if (marker === 0xff) {
        offset += 1 // fill byte
        continue
      }
      // Markers without a length: TEM, RSTn.
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        offset += 2
        continue
      }
      const length = view.getUint16(offset + 2)
      // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) }
      if (marker === 0xda || marker === 0xd9) return undefined
      offset += 2 + length
    }
  }
  return undefined
}
