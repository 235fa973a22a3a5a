// `npm run bench`: measures the building blocks on this machine and writes bench/results/bench.json.
// Figures are medians of repeated warm runs; they are measured here, never asserted in tests.
process.env.ORT_DISABLE_TELEMETRY = '1'

import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { decryptObject, encryptObject } from '../src/crypto/chunkedAead.ts'
import { generateHpkeKeyPair, unwrapKey, wrapKey } from '../src/crypto/hpke.ts'
import { benchAttestation } from './attestation.ts'
import { benchEnclaveMemory } from './enclaveMemory.ts'
import { medianMs } from './median.ts'

const results: Record<string, number> = {}
const object = crypto.getRandomValues(new Uint8Array(64 * 1024)).slice()
const large = new Uint8Array(64 << 20).fill(7)
const encryptMs = await medianMs(5, () => encryptObject(large))
results.aead_encrypt_MiB_per_s = Number((64 / (encryptMs / 1000)).toFixed(0))
const sealed = await encryptObject(large)
const decryptMs = await medianMs(5, () => decryptObject(sealed.key, sealed.ciphertext))
results.aead_decrypt_MiB_per_s = Number((64 / (decryptMs / 1000)).toFixed(0))
results.aead_encrypt_64KiB_ms = await medianMs(50, () => encryptObject(object))

const recipient = await generateHpkeKeyPair()
const key = crypto.getRandomValues(new Uint8Array(32))
const aad = new Uint8Array(32)
results.hpke_wrap_ms = await medianMs(50, () =>
  wrapKey({ recipientPublicKey: recipient.publicKey, key, info: 'bench', aad }),
)
const wrapped = await wrapKey({ recipientPublicKey: recipient.publicKey, key, info: 'bench', aad })
results.hpke_unwrap_ms = await medianMs(50, () =>
  unwrapKey({ recipientPrivateKey: recipient.privateKey, wrapped, info: 'bench', aad }),
)

const started = performance.now()
// Loaded only now: static imports would load ONNX Runtime before the telemetry switch above.
const { paddleOcrSolution } = await import('../src/solutions/paddleocr/paddleOcrSolution.ts')
const { createOcrEngine } = await import('../src/enclave/runners/ocr/recogniseText.ts')
const ocr = paddleOcrSolution()
const ocrFile = (role: string) =>
  ocr.files.find((file) => file.name === ocr.manifest.files?.[role])?.bytes ?? new Uint8Array()
const engine = await createOcrEngine({
  detection: ocrFile('detection'),
  recognition: ocrFile('recognition'),
  dictionary: ocrFile('dictionary'),
})
results.ocr_model_load_ms = Number((performance.now() - started).toFixed(1))
const page = new Uint8Array(await readFile('examples/lab-report.png'))
results.ocr_page_ms = await medianMs(5, () => engine.recognise(page))

Object.assign(results, await benchAttestation())
// BOCC_BENCH_ENCLAVE_ORDERS: fewer orders for a smoke run.
Object.assign(
  results,
  await benchEnclaveMemory(Number(process.env.BOCC_BENCH_ENCLAVE_ORDERS ?? 1000)),
)

await mkdir('bench/results', { recursive: true })
await writeFile('bench/results/bench.json', `${JSON.stringify(results, null, 2)}\n`)
for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(32)} ${value}`)
process.exit(0)
