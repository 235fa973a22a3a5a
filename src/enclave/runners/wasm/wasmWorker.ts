// A worker thread WASM jobs run in, one at a time (src/enclave/runners/wasm/wasmRunner.ts starts
// it with heap limits, ends it at a job's time limit or failure, and replaces it after a number of
// jobs). Each job gets a new WASI preview 1 instance with only /in and /out preopened, no
// environment, its stdio on /dev/null, random_get and the clocks fixed by the order's seed, and a
// new instance of the module with its own memory: a job sees nothing of the one before.
import { createCipheriv } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { WASI } from 'node:wasi'
import { parentPort } from 'node:worker_threads'

export type WasmWorkerData = {
  module: WebAssembly.Module
  args: string[]
  seed: Uint8Array
  inDirectory: string
  outDirectory: string
}

export type WasmWorkerResult =
  /** The module is instantiated and starts now: the job's time runs from here. */
  | { type: 'started' }
  | { type: 'exit'; code: number }
  | { type: 'trap'; memoryBytes: number; maxMemoryBytes: number }

/** Runs one job in a new WASI instance with its own memory; nothing of it outlives the call. */
function runJob(data: WasmWorkerData): WasmWorkerResult {
  const devNull = openSync('/dev/null', 'r+')
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: data.args,
      env: {},
      preopens: { '/in': data.inDirectory, '/out': data.outDirectory },
      stdin: devNull,
      stdout: devNull,
      stderr: devNull,
      returnOnExit: true,
    })
    // Deterministic per order: random bytes are AES-256-CTR keystream under the seed; the
    // realtime clock starts at a time drawn from the seed, and both clocks advance 1 µs per reading.
    const keystream = createCipheriv('aes-256-ctr', data.seed, new Uint8Array(16))
    const seedView = new DataView(data.seed.buffer, data.seed.byteOffset, data.seed.byteLength)
    const realtimeStart =
      (1_600_000_000n + BigInt(seedView.getUint32(0) % 100_000_000)) * 1_000_000_000n
    let ticks = 0n
    let memory: WebAssembly.Memory | undefined
    const view = () => new DataView((memory as WebAssembly.Memory).buffer)
    const imports = wasi.getImportObject() as { wasi_snapshot_preview1: Record<string, unknown> }
    Object.assign(imports.wasi_snapshot_preview1, {
      random_get(pointer: number, length: number) {
        const bytes = new Uint8Array((memory as WebAssembly.Memory).buffer, pointer, length)
        bytes.set(keystream.update(new Uint8Array(length)))
        return 0
      },
      clock_time_get(clock: number, _precision: bigint, resultPointer: number) {
        ticks += 1000n
        view().setBigUint64(resultPointer, (clock === 0 ? realtimeStart : 0n) + ticks, true)
        return 0
      },
      clock_res_get(_clock: number, resultPointer: number) {
        view().setBigUint64(resultPointer, 1000n, true)
        return 0
      },
    })
    const instance = new WebAssembly.Instance(data.module, imports as WebAssembly.Imports)
    memory = instance.exports.memory as WebAssembly.Memory
    parentPort?.postMessage({ type: 'started' } satisfies WasmWorkerResult)
    try {
      return { type: 'exit', code: wasi.start(instance) }
    } catch {
      return {
        type: 'trap',
        memoryBytes: memory.buffer.byteLength,
        maxMemoryBytes:
          (memory.buffer as ArrayBuffer & { maxByteLength?: number }).maxByteLength ?? 0,
      }
    }
  } finally {
    closeSync(devNull)
  }
}

// One job at a time, each as the runner posts it.
parentPort?.on('message', (data: WasmWorkerData) => parentPort?.postMessage(runJob(data)))
