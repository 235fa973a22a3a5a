import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { BoccError, shortMessageOf } from '../../../errors.ts'
import { failureReasons } from '../../../protocol/failureReasons.ts'
import type { SolutionBundle } from '../../../protocol/solutionBundle.ts'
import type { Job, JobOutcome, JobRunner } from '../jobRunner.ts'
import type { NativeWorkerRequest, NativeWorkerResponse } from './nativeWorker.ts'

const workerEntry = new URL('./nativeWorker.ts', import.meta.url)
const memoryPollMs = 25
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
  const memoryLimitBytes = limits.memoryMiB * 2 ** 20
  // The first load must work (else the solution does not load); a restart is awaited by the next job.
  let worker: Promise<{ child: ChildProcess }> = Promise.resolve(await startWorker(bundle))
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false
  let jobsOnWorker = 0

  const runOne = async (job: Job): Promise<JobOutcome> => {
    if (closed) return { failure: failureReasons.solutionUnavailable, message: 'runner closed' }
    let child: ChildProcess
    try {
      child = (await worker).child
      if (isGone(child)) {
        worker = startWorker(bundle)
        child = (await worker).child
      }
    } catch (error) {
      return { failure: failureReasons.solutionUnavailable, message: shortMessageOf(error) }
    }
    const outcome = await new Promise<JobOutcome>((resolve) => {
      let settled = false
      const finish = (value: JobOutcome) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        clearInterval(poll)
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(value)
      }
      const kill = (failure: JobOutcome) => {
        child.kill('SIGKILL')
        finish(failure)
      }
      const timer = setTimeout(
        () =>
          kill({
            failure: failureReasons.jobTimedOut,
            message: `the job ran past its limit of ${limits.timeoutMs} ms`,
          }),
        limits.timeoutMs,
      )
      const overMemory = () => {
        if (residentBytes(child) <= memoryLimitBytes) return false
        kill({
          failure: failureReasons.jobOutOfMemory,
          message: `the job needed more than its limit of ${limits.memoryMiB} MiB`,
        })
        return true
      }
      const poll = setInterval(overMemory, memoryPollMs)
      const onMessage = (message: NativeWorkerResponse) => {
        // A job that ends between two looks is measured at its end, too.
        if (overMemory()) return
        if (message.type === 'done') finish({ outputs: message.outputs })
        else if (message.type === 'rejected')
          finish({ failure: failureReasons.inputRejected, message: message.message })
        else if (message.type === 'crashed')
          finish({ failure: failureReasons.jobCrashed, message: message.message })
      }
      const onExit = () =>
        finish({ failure: failureReasons.jobCrashed, message: 'the job’s process died' })
      child.on('message', onMessage)
      child.once('exit', onExit)
      if (!overMemory())
        child.send({ type: 'job', inputs: job.inputs } satisfies NativeWorkerRequest)
    })
    // Native libraries leave a little resident memory behind per job (bench/enclaveMemory.ts):
    // a worker that served its share is replaced between jobs, which keeps the runtime flat.
    if (++jobsOnWorker >= recycleAfterJobs) {
      child.kill('SIGKILL')
      jobsOnWorker = 0
    }
    // Warm again for the next job, while this one's outcome goes back.
    if (isGone(child)) {
      jobsOnWorker = 0
      worker = startWorker(bundle)
      worker.catch(() => undefined)
    }
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
      const { child } = await worker.catch(() => ({ child: undefined }))
      child?.kill('SIGKILL')
    },
  }
}

/**
 * Forks a runner's worker process for `bundle` and waits until it has loaded it. The `llm` runner
 * starts its own worker module the same way.
 */
export async function startWorker(
  bundle: SolutionBundle,
  entry: URL = workerEntry,
): Promise<{ child: ChildProcess }> {
  const child = fork(entry, [], {
    // Its output could hold plaintext: it goes nowhere. The JS heap is bounded too.
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
    // Few glibc malloc arenas: with one per thread, freed memory stays fragmented across them and
    // the resident set creeps up order after order.
    env: { ORT_DISABLE_TELEMETRY: '1', MALLOC_ARENA_MAX: '2' },
    execArgv: [`--max-old-space-size=${bundle.manifest.limits.memoryMiB}`, '--expose-gc'],
  })
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
    child.send({
      type: 'load',
      manifest: bundle.manifest,
      files: bundle.files,
    })
  })
  return { child }
}

export function isGone(child: ChildProcess): boolean {
  return child.killed || !child.connected || child.exitCode !== null || child.signalCode !== null
}

/** The child's resident set size, from /proc (Linux); 0 where that cannot be read. */
export function residentBytes(child: ChildProcess): number {
  try {
    const pages = Number(readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1])
    return pages * 4096
  } catch {
    return 0
  }
}
