import { type ChildProcess, fork } from 'node:child_process'
import { BoccError, shortMessageOf } from '../../../errors.ts'
import { failureReasons } from '../../../protocol/failureReasons.ts'
import type { SolutionBundle } from '../../../protocol/solutionBundle.ts'
import type { Job, JobOutcome, JobRunner } from '../jobRunner.ts'
import { readAnswers } from './answerPipe.ts'
import { sendEntry } from './entryPipe.ts'
import type { NativeWorkerRequest, NativeWorkerResponse } from './nativeWorker.ts'
import { superviseRequest } from './superviseRequest.ts'

const workerEntry = new URL('./nativeWorker.ts', import.meta.url)
/** Jobs one worker process serves before a fresh one replaces it. */
export const recycleAfterJobs = 100

export class SolutionLoadError extends BoccError {
  override name = 'SolutionLoadError'
}

/**
 * Runs an `ocr` or `onnx` solution in a child process (native code cannot be bounded inside a
 * thread): the model loads once and the warm process serves job after job, one at a time. A job
 * whose process passes the memory limit (resident set, polled) or the time limit is killed and
 * fails with reason 8 or 7; a process that dies fails its job with reason 6. Either way a fresh
 * process is started for the next job, as it is after every {@link recycleAfterJobs} jobs.
 */
export async function startNativeRunner(bundle: SolutionBundle): Promise<JobRunner> {
  const { limits } = bundle.manifest
  const worker = await startWarmWorker(bundle)
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false
  let jobsOnWorker = 0

  const runOne = async (job: Job): Promise<JobOutcome> => {
    if (closed) return { failure: failureReasons.solutionUnavailable, message: 'runner closed' }
    let child: ChildProcess
    try {
      child = await worker.live()
    } catch (error) {
      return { failure: failureReasons.solutionUnavailable, message: shortMessageOf(error) }
    }
    const outcome = await superviseRequest<JobOutcome, NativeWorkerResponse>(child, {
      limits,
      what: 'the job',
      died: 'the job’s process died',
      request: { type: 'job', inputs: job.inputs } satisfies NativeWorkerRequest,
      stopped: (stop) => stop,
      onMessage(message, { finish, overMemory }) {
        // A job that ends between two looks is measured at its end, too.
        if (overMemory()) return
        if (message.type === 'done') finish({ outputs: message.outputs })
        else if (message.type === 'rejected')
          finish({ failure: failureReasons.inputRejected, message: message.message })
        else if (message.type === 'crashed')
          finish({ failure: failureReasons.jobCrashed, message: message.message })
      },
    })
    // Native libraries leave a little resident memory behind per job (bench/enclaveMemory.ts):
    // a worker that served its share is replaced between jobs, which keeps the runtime flat.
    if (++jobsOnWorker >= recycleAfterJobs) child.kill('SIGKILL')
    if (worker.replaceIfGone(child)) jobsOnWorker = 0
    return outcome
  }

  return {
    run(job) {
      const result = queue.then(() => runOne(job))
      queue = result.catch(() => undefined)
      return result
    },
    async close() {
      closed = true
      await worker.close()
    },
  }
}

/** A runner's worker process, kept warm: it serves request after request, one at a time. */
export type WarmWorker = {
  /** The worker, started again first if it is gone (rejects if that start fails). */
  live(): Promise<ChildProcess>
  /** Starts the next worker now if `child` is gone, so it warms while an outcome goes back. */
  replaceIfGone(child: ChildProcess): boolean
  close(): Promise<void>
}

/** How a runner's worker is started, beyond what every worker gets. */
export type WorkerOptions = {
  /** Added to the worker's environment. */
  env?: Record<string, string>
  /** A program that starts node for it (`taskset`), chosen again at every start. */
  launcher?: () => { execPath: string; execArgv: string[] } | undefined
  /** The worker answers on its answer pipe (`answerPipe.ts`), not on the IPC channel. */
  answersOverPipe?: boolean
  /** The bundle's entry file goes on the worker's entry pipe (`entryPipe.ts`), not over IPC. */
  entryOverPipe?: boolean
}

/**
 * Starts a runner's worker for `bundle` (the `ocr`, `onnx` and `llm` runners share this). The
 * first load must work, or the solution does not load; a restart is awaited by the next request.
 */
export async function startWarmWorker(
  bundle: SolutionBundle,
  entry: URL = workerEntry,
  options: WorkerOptions = {},
): Promise<WarmWorker> {
  let worker: Promise<{ child: ChildProcess }> = Promise.resolve(
    await startWorker(bundle, entry, options),
  )
  const replace = () => {
    worker = startWorker(bundle, entry, options)
    worker.catch(() => undefined)
    return worker
  }
  return {
    async live() {
      const { child } = await worker
      return isGone(child) ? (await replace()).child : child
    },
    replaceIfGone(child) {
      if (!isGone(child)) return false
      replace()
      return true
    },
    async close() {
      const { child } = await worker.catch(() => ({ child: undefined }))
      child?.kill('SIGKILL')
    },
  }
}

/**
 * Forks a runner's worker process for `bundle` and waits until it has loaded it. The `llm` runner
 * starts its own worker module the same way.
 */
async function startWorker(
  bundle: SolutionBundle,
  entry: URL,
  { env = {}, launcher, answersOverPipe = false, entryOverPipe = false }: WorkerOptions,
): Promise<{ child: ChildProcess }> {
  const launch = launcher?.()
  const child = fork(entry, [], {
    // Its output could hold plaintext: it goes nowhere. The JS heap is bounded too. Descriptors 4
    // and 5 are its answer and entry pipes when it has them (answerPipe.ts, entryPipe.ts).
    stdio: [
      'ignore',
      'ignore',
      'ignore',
      'ipc',
      answersOverPipe ? 'pipe' : 'ignore',
      entryOverPipe ? 'pipe' : 'ignore',
    ],
    serialization: 'advanced',
    // Few glibc malloc arenas: with one per thread, freed memory stays fragmented across them and
    // the resident set creeps up order after order.
    env: { ORT_DISABLE_TELEMETRY: '1', MALLOC_ARENA_MAX: '2', ...env },
    ...(launch ? { execPath: launch.execPath } : {}),
    execArgv: [
      ...(launch?.execArgv ?? []),
      `--max-old-space-size=${bundle.manifest.limits.memoryMiB}`,
      '--expose-gc',
    ],
  })
  if (answersOverPipe) readAnswers(child)
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      child.off('exit', onExit)
      child.off('message', onMessage)
      if (message.type === 'ready') resolve()
      else {
        child.kill('SIGKILL')
        reject(
          new SolutionLoadError(
            `the ${bundle.manifest.runner} runner could not load the solution: ${
              message.type === 'load-failed' ? message.message : message.type
            }`,
          ),
        )
      }
    }
    const onExit = () =>
      reject(new SolutionLoadError('the solution’s process died while loading it'))
    child.on('message', onMessage)
    child.once('exit', onExit)
    const entryFile = entryOverPipe
      ? bundle.files.find((file) => file.name === bundle.manifest.entry)
      : undefined
    child.send({
      type: 'load',
      manifest: bundle.manifest,
      files: entryFile ? bundle.files.filter((file) => file !== entryFile) : bundle.files,
      ...(entryFile ? { entryLength: entryFile.bytes.length } : {}),
    })
    if (entryFile) sendEntry(child, entryFile.bytes)
  })
  return { child }
}

function isGone(child: ChildProcess): boolean {
  return child.killed || !child.connected || child.exitCode !== null || child.signalCode !== null
}
