// The input of the text-orientation solution, made on the customer's side from an image of one
// line of text (PNG or JPEG), the way PaddleOCR prepares it for its classifier: scaled to 48
// pixels high (at most 192 wide), RGB values mapped to [-1, 1], channels first, zero-padded on
// the right to 192; written raw, float32 little-endian [1, 3, 48, 192] (110,592 bytes).
//
//   node src/solutions/textorientation/textLineTensor.ts IMAGE --out FILE
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import sharp from 'sharp'
import { shortMessageOf } from '../../errors.ts'

const height = 48
const width = 192

/** The tensor for an image of one line of text. */
export async function textLineTensor(image: Uint8Array): Promise<Uint8Array> {
  const { width: imageWidth = 1, height: imageHeight = 1 } = await sharp(image).metadata()
  const scaledWidth = Math.max(1, Math.min(width, Math.ceil((height * imageWidth) / imageHeight)))
  const pixels = await sharp(image)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(scaledWidth, height, { fit: 'fill' })
    .raw()
    .toBuffer()
  const tensor = new DataView(new ArrayBuffer(3 * height * width * 4))
  for (let y = 0; y < height; y++)
    for (let x = 0; x < scaledWidth; x++)
      for (let channel = 0; channel < 3; channel++) {
        const value = (pixels[(y * scaledWidth + x) * 3 + channel] as number) / 255
        const at = (channel * height * width + y * width + x) * 4
        tensor.setFloat32(at, (value - 0.5) / 0.5, true)
      }
  return new Uint8Array(tensor.buffer)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    options: { out: { type: 'string' } },
    allowPositionals: true,
  })
  const [image] = positionals
  if (!image || !values.out) {
    process.stderr.write('usage: textLineTensor.ts IMAGE --out FILE\n')
    process.exit(2)
  }
  try {
    writeFileSync(values.out, await textLineTensor(new Uint8Array(readFileSync(image))))
  } catch (error) {
    process.stderr.write(`textLineTensor: ${image}: ${shortMessageOf(error)}\n`)
    process.exit(1)
  }
}
