import type { OcrEngine } from '../src/enclave/runners/ocr/recogniseText.ts'

/**
 * The plain in-process OCR engine the confidential figures compare to: the PaddleOCR bundle's
 * models in the benchmark's own process. Loaded only when called: ONNX Runtime must see the
 * telemetry switch first (bench/run.ts sets it).
 */
export async function createPlainOcrEngine(): Promise<OcrEngine> {
  const { paddleOcrSolution } = await import('../src/solutions/paddleocr/paddleOcrSolution.ts')
  const { createOcrEngine } = await import('../src/enclave/runners/ocr/recogniseText.ts')
  const ocr = paddleOcrSolution()
  const file = (role: string) =>
    ocr.files.find((item) => item.name === ocr.manifest.files?.[role])?.bytes ?? new Uint8Array()
  const engine = await createOcrEngine({
    detection: file('detection'),
    recognition: file('recognition'),
    dictionary: file('dictionary'),
  })
  // The OCR library's WebAssembly module installs handlers that dump its source on any error.
  process.removeAllListeners('uncaughtException')
  process.removeAllListeners('unhandledRejection')
  return engine
}
