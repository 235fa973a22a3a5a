import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { BoccError } from '../../../errors.ts'
import { isProcessRunning } from '../../../processes/isProcessRunning.ts'
import { failureReasons } from '../../../protocol/failureReasons.ts'
import type { NamedBlob } from '../../../protocol/namedBlobs.ts'
import type { SolutionBundle } from '../../../protocol/solutionBundle.ts'
import type { JobOutcome, JobRunner } from '../jobRunner.ts'
import { limitWasmMemory, UnsupportedWasmError, wasmPageBytes } from './limitWasmMemory.ts'
import type { WasmWorkerData, WasmWorkerResult } from './wasmWorker.ts'

const workerEntry = new URL('./wasmWorker.ts', import.meta.url)
/** The job's files live in memory (tmpfs), never on a disk, and only for the job's duration. */
export const scratchRoot = process.env.BOCC_ENCLAVE_SCRATCH ?? '/dev/shm'
const maxOutputBytes = 64 << 20
/** A job's scratch folder: `bocc-job-<runtime pid>-<random>`, so leftovers name their runtime. */
const scratchPrefix = 'bocc-job-'

/** The scratch folder names of the runtime with this process id. */
export function isScratchOfProcess(name: string, pid: number): boolean {
  return name.startsWith(`${scratchPrefix}${pid}-`)
}

export class WasmScratchError extends BoccError {
  override name = 'WasmScratchError'
}

/** Jobs one warm thread serves before a fresh thread replaces it. */
const jobsPerThread = 200

/**
 * The `wasm` runner: a WASI preview 1 module, compiled once per loaded solution, run per job as a
 * new instance (its own memory, its own WASI state) in a warm worker thread. Inputs are readable
 * as /in/<name>, outputs are written as /out/<name>, the order's arguments are argv[1..]. Its
 * memory cannot grow past the manifest's limit (the module is rewritten so), the thread's heap is
 * bounded, and the thread is ended at the time limit. A thread serves one job at a time; one
 * whose job trapped, timed out or failed is ended, never reused, and every thread is replaced
 * after {@link jobsPerThread} jobs. Starting a thread costs tens of milliseconds, more than a
 * small job: warm threads keep that off every order.
 */
export async function startWasmRunner(bundle: SolutionBundle): Promise<JobRunner> {
  const { manifest } = bundle
  if (!existsSync(scratchRoot))
    throw new WasmScratchError(`the wasm runner needs the memory file system ${scratchRoot}`)
  const entry = bundle.files.find((file) => file.name === manifest.entry)
  if (!entry) throw new UnsupportedWasmError(`the bundle has no file ${manifest.entry}`)
  const maxPages = Math.floor((manifest.limits.memoryMiB * 2 ** 20) / wasmPageBytes)
  const module = await WebAssembly.compile(limitWasmMemory(entry.bytes, maxPages) as BufferSource)
  for (const item of WebAssembly.Module.imports(module))
    if (item.module !== 'wasi_snapshot_preview1')
      throw new UnsupportedWasmError(`the module imports ${item.module}.${item.name}, not WASI`)
  await wipeScratchOfDeadRuntimes()
  const threads = createThreadPool()

  return {
    async run(job) {
      const directory = join(
        scratchRoot,
        `${scratchPrefix}${process.pid}-${randomBytes(12).toString('hex')}`,
      )
      const inDirectory = join(directory, 'in')
      const outDirectory = join(directory, 'out')
      await mkdir(inDirectory, { recursive: true, mode: 0o700 })
      await mkdir(outDirectory, { mode: 0o700 })
      try {
        for (const input of job.inputs) {
          const path = join(inDirectory, input.name)
          await writeFile(path, input.bytes, { mode: 0o600 })
          // Fixed timestamps: what the module can see does not depend on when it ran.
          await utimes(path, 0, 0)
        }
        await utimes(inDirectory, 0, 0)
        await utimes(outDirectory, 0, 0)
        const outcome = await runInThread(threads, {
          module,
          args: [manifest.entry, ...job.arguments],
          seed: job.seed,
          inDirectory,
          outDirectory,
          limits: manifest.limits,
        })
        if ('failure' in outcome) return outcome
        return await readOutputs(outDirectory, manifest.outputs)
      } finally {
        await wipe(directory)
      }
    },
    close: () => threads.close(),
  }
}

/** A warm worker thread, and how many jobs it has served. */
type WasmThread = { worker: Worker; jobs: number }

/** Idle warm threads: a job takes one (or starts one) and gives it back when it ended cleanly. */
function createThreadPool() {
  const idle: WasmThread[] = []
  let closed = false
  const start = (): WasmThread => {
    const worker = new Worker(workerEntry, {
      // Its stdio is captured (and dropped) so nothing reaches the runtime's own stdout.
      stdout: true,
      stderr: true,
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    })
    worker.stdout.resume()
    worker.stderr.resume()
    // An idle thread does not keep the runtime alive, and one that ended is never handed out.
    worker.unref()
    const thread = { worker, jobs: 0 }
    worker.once('exit', () => {
      const index = idle.indexOf(thread)
      if (index >= 0) idle.splice(index, 1)
    })
    return thread
  }
  return {
    take(): WasmThread {
      const thread = idle.pop() ?? start()
      thread.worker.ref()
      return thread
    },
    /** A thread whose job ended cleanly (the module exited) serves the next. */
    giveBack(thread: WasmThread) {
      thread.jobs += 1
      if (closed || thread.jobs >= jobsPerThread) void thread.worker.terminate()
      else {
        thread.worker.unref()
        idle.push(thread)
      }
    },
    end(thread: WasmThread) {
      void thread.worker.terminate()
    },
    async close() {
      closed = true
      await Promise.all(idle.splice(0).map((thread) => thread.worker.terminate()))
    },
  }
}

function runInThread(
  threads: ReturnType<typeof createThreadPool>,
  parameters: {
    module: WebAssembly.Module
    args: string[]
    seed: Uint8Array
    inDirectory: string
    outDirectory: string
    limits: SolutionBundle['manifest']['limits']
  },
): Promise<JobOutcome | { exitCode: 0 }> {
  const { limits } = parameters
  const data: WasmWorkerData = {
    module: parameters.module,
    args: parameters.args,
    seed: parameters.seed,
    inDirectory: parameters.inDirectory,
    outDirectory: parameters.outDirectory,
  }
  const outOfMemory = {
    failure: failureReasons.jobOutOfMemory,
    message: `the job needed more than its limit of ${limits.memoryMiB} MiB`,
  } as const
  return new Promise((resolve) => {
    const thread = threads.take()
    const { worker } = thread
    let settled = false
    const timedOut = {
      failure: failureReasons.jobTimedOut,
      message: `the job ran past its limit of ${limits.timeoutMs} ms`,
    } as const
    // Until the module starts (a start function runs at instantiation), the thread gets a
    // startup allowance on top of the limit; from then on the limit itself.
    let timer = setTimeout(() => finish(timedOut), limits.timeoutMs + 10_000)
    /** `reusable`: the module exited, so nothing of the job is left running in the thread. */
    const finish = (outcome: JobOutcome | { exitCode: 0 }, reusable = false) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      worker.off('message', onMessage)
      worker.off('error', onError)
      worker.off('exit', onExit)
      if (reusable) threads.giveBack(thread)
      else threads.end(thread)
      resolve(outcome)
    }
    const onMessage = (result: WasmWorkerResult) => {
      // The limit counts the module's own run, not the thread's start.
      if (result.type === 'started') {
        clearTimeout(timer)
        timer = setTimeout(() => finish(timedOut), limits.timeoutMs)
      } else if (result.type === 'exit')
        finish(
          result.code === 0
            ? { exitCode: 0 }
            : {
                failure: failureReasons.inputRejected,
                message: `the module exited with status ${result.code}`,
              },
          true,
        )
      // A trap with its memory near the ceiling (over 3/4 of it) is taken for memory.grow having
      // failed: the job ran out of memory.
      else if (result.memoryBytes > 0.75 * limits.memoryMiB * 2 ** 20) finish(outOfMemory)
      else finish({ failure: failureReasons.jobCrashed, message: 'the module trapped' })
    }
    const onError = (error: Error & { code?: string }) =>
      finish(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? outOfMemory
          : { failure: failureReasons.jobCrashed, message: 'the job’s thread failed' },
      )
    const onExit = () =>
      finish({ failure: failureReasons.jobCrashed, message: 'the job’s thread stopped' })
    worker.on('message', onMessage)
    worker.once('error', onError)
    worker.once('exit', onExit)
    worker.postMessage(data)
  })
}

async function readOutputs(
  outDirectory: string,
  declared: SolutionBundle['manifest']['outputs'],
): Promise<JobOutcome> {
  const present = new Set(await readdir(outDirectory))
  const outputs: NamedBlob[] = []
  let total = 0
  for (const { name } of declared) {
    if (!present.has(name))
      return { failure: failureReasons.inputRejected, message: `the module wrote no /out/${name}` }
    const path = join(outDirectory, name)
    const info = await stat(path)
    total += info.size
    if (!info.isFile() || total > maxOutputBytes)
      return {
        failure: failureReasons.jobOutOfMemory,
        message: `the outputs are over ${maxOutputBytes} bytes`,
      }
    outputs.push({ name, bytes: new Uint8Array(await readFile(path)) })
  }
  return { outputs }
}

/** Overwrites every file with zeros before removing the job's directory. */
/**
 * A runtime killed mid-job (kill -9, out of memory) leaves its job's files in memory: the next
 * runtime wipes the folders of every runtime that is no longer running, before its first job.
 */
async function wipeScratchOfDeadRuntimes() {
  const names = await readdir(scratchRoot).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(scratchPrefix)) continue
    const pid = Number(/^bocc-job-(\d+)-/.exec(name)?.[1])
    if (Number.isInteger(pid) && pid > 0 && isProcessRunning(pid)) continue
    await wipe(join(scratchRoot, name))
  }
}

async function wipe(directory: string) {
  const files = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => [])
  for (const file of files) {
    if (!file.isFile()) continue
    const path = join(file.parentPath, file.name)
    const handle = await open(path, 'r+').catch(() => undefined)
    if (!handle) continue
    const { size } = await handle.stat()
    await handle.write(new Uint8Array(Math.min(size, 1 << 20)), 0, Math.min(size, 1 << 20), 0)
    for (let offset = 1 << 20; offset < size; offset += 1 << 20)
      await handle.write(new Uint8Array(Math.min(1 << 20, size - offset)), 0, undefined, offset)
    await handle.close()
  }
  await rm(directory, { recursive: true, force: true })
}
