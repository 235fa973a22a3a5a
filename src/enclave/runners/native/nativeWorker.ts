// A child process of the enclave runtime that runs native-code solutions (ONNX Runtime, sharp),
// so their memory and time can be bounded and a crash ends one job, not the runtime. It talks to
// the runtime over the IPC channel only; its stdout and stderr go nowhere.
process.env.ORT_DISABLE_TELEMETRY = '1'

import { shortMessageOf } from '../../../errors.ts'
import type { NamedBlob } from '../../../protocol/namedBlobs.ts'
import type { SolutionManifest } from '../../../protocol/solutionBundle.ts'
import { InputRejectedError } from './inputRejected.ts'

export type NativeWorkerRequest =
  | { type: 'load'; manifest: SolutionManifest; files: NamedBlob[] }
  | { type: 'job'; inputs: NamedBlob[] }

export type NativeWorkerResponse =
  | { type: 'ready' }
  | { type: 'load-failed'; message: string }
  | { type: 'done'; outputs: NamedBlob[] }
  | { type: 'rejected'; message: string }
  | { type: 'crashed'; message: string }

type Solve = (inputs: NamedBlob[]) => Promise<NamedBlob[]>

for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const)
  console[method] = () => {}
const send = (message: NativeWorkerResponse) => process.send?.(message)
let solve: Solve | undefined

process.on('message', async (message: NativeWorkerRequest) => {
  if (message.type === 'load') {
    try {
      solve = await load(message.manifest, message.files)
      // Libraries (the OCR one's WebAssembly) install handlers that print their source on errors.
      for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
        process.removeAllListeners(event)
        process.on(event, () => process.exit(70))
      }
      send({ type: 'ready' })
    } catch (error) {
      send({ type: 'load-failed', message: shortMessageOf(error) })
    }
    return
  }
  if (!solve) return send({ type: 'crashed', message: 'no solution is loaded' })
  try {
    send({ type: 'done', outputs: await solve(message.inputs) })
  } catch (error) {
    // Only the runners' own one-line errors are passed on: others could quote the input.
    send(
      error instanceof InputRejectedError
        ? { type: 'rejected', message: error.shortMessage }
        : { type: 'crashed', message: 'the solution threw an error' },
    )
  } finally {
    for (const input of message.inputs)
      input.bytes.fill(0)
      // Collect the job's garbage now (decoded images, tensors): the resident set stays at the
      // model's size between jobs instead of swinging with V8's lazy collection, and the job's
      // plaintext does not linger in unreachable memory.
    ;(globalThis as { gc?: () => void }).gc?.()
  }
})
process.on('disconnect', () => process.exit(0))

async function load(manifest: SolutionManifest, files: NamedBlob[]): Promise<Solve> {
  const file = (path: string) => {
    const found = files.find((item) => item.name === path)
    if (!found) throw new Error(`the bundle has no file ${path}`)
    return found.bytes
  }
  if (manifest.runner === 'ocr') {
    const { createOcrSolve } = await import('../ocr/ocrSolve.ts')
    return createOcrSolve(manifest, file)
  }
  if (manifest.runner === 'onnx') {
    const { createOnnxSolve } = await import('../onnx/onnxSolve.ts')
    return createOnnxSolve(manifest, file(manifest.entry))
  }
  throw new Error(`the native worker has no ${manifest.runner} runner`)
}
