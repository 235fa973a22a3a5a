// `npm run bench`: measures the building blocks on this machine and writes bench/results/bench.json.
// Figures are medians of repeated warm runs; they are measured here, never asserted in tests.
process.env.ORT_DISABLE_TELEMETRY = '1'

import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { benchAead } from './aead.ts'
import { benchAttestation } from './attestation.ts'
import { medianMs } from './median.ts'

const results: Record<string, number> = await benchAead()

const started = performance.now()
// Loaded only now: static imports would load ONNX Runtime before the telemetry switch above.
const { loadOcrBundle } = await import('../src/enclave/solutions/ocr/ocrBundle.ts')
const { createOcrEngine } = await import('../src/enclave/solutions/ocr/recogniseText.ts')
const engine = await createOcrEngine(loadOcrBundle())
results.ocr_model_load_ms = Number((performance.now() - started).toFixed(1))
const page = new Uint8Array(await readFile('examples/lab-report.png'))
results.ocr_page_ms = await medianMs(5, () => engine.recognise(page))

Object.assign(results, await benchAttestation())

await mkdir('bench/results', { recursive: true })
await writeFile('bench/results/bench.json', `${JSON.stringify(results, null, 2)}\n`)
for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(32)} ${value}`)
process.exit(0)
