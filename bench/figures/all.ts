import type { FigureContext, FigureReport } from '../report.ts'

type Measure = (context: FigureContext) => Promise<FigureReport>

/**
 * Every figure of the benchmark, by the name `--only` takes, in the order a run takes them. Each
 * is loaded only in the process that measures it (bench/runFigure.ts).
 */
export const figures: Record<string, () => Promise<Measure>> = {
  crypto: async () => (await import('./crypto.ts')).measureCrypto,
  attestation: async () => (await import('./attestationFigures.ts')).measureAttestation,
  wasm: async () => (await import('./wasmOrders.ts')).measureWasmOrders,
  ocr: async () => (await import('./ocrOrders.ts')).measureOcrOrders,
  demo: async () => (await import('./demo.ts')).measureDemo,
  gas: async () => (await import('./gas.ts')).readGas,
  enclaveMemory: async () => (await import('./enclaveMemoryFigures.ts')).measureEnclaveMemory,
  inference: async () => (await import('./inference.ts')).measureInference,
}
