import type { ChildProcess, Serializable } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { type FailureReason, failureReasons } from '../../../protocol/failureReasons.ts'

const memoryPollMs = 25

/** Why the supervisor ended a request the worker did not settle. */
export type RequestStopped = { failure: FailureReason; message: string }

/** What a worker's message handler may do: settle the request, or first measure the worker. */
export type RequestControl<outcome> = {
  finish(outcome: outcome): void
  /** Kills the worker and ends the request with reason 8 if it passed its memory limit. */
  overMemory(): boolean
}

/**
 * Sends one request to a runner's worker process and watches it until `onMessage` settles it
 * (the `ocr`, `onnx` and `llm` runners share this). A worker whose resident set passes
 * `limits.memoryMiB` (polled, and measured before the request is sent) or that runs past
 * `limits.timeoutMs` is killed and the request ends with reason 8 or 7; one that dies ends it
 * with reason 6. `stopped` turns those into the runner's outcome; `what` names the request in
 * their messages ("the job"), and `died` says what died ("the job’s process died").
 */
export function superviseRequest<outcome, message>(
  child: ChildProcess,
  parameters: {
    limits: { timeoutMs: number; memoryMiB: number }
    what: string
    died: string
    request: Serializable
    onMessage(message: message, control: RequestControl<outcome>): void
    stopped(stop: RequestStopped): outcome
  },
): Promise<outcome> {
  const { limits, what } = parameters
  const memoryLimitBytes = limits.memoryMiB * 2 ** 20
  return new Promise<outcome>((resolve) => {
    let settled = false
    const finish = (value: outcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearInterval(poll)
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(value)
    }
    const kill = (failure: FailureReason, message: string) => {
      child.kill('SIGKILL')
      finish(parameters.stopped({ failure, message }))
    }
    const timer = setTimeout(
      () =>
        kill(failureReasons.jobTimedOut, `${what} ran past its limit of ${limits.timeoutMs} ms`),
      limits.timeoutMs,
    )
    const overMemory = () => {
      if (residentBytes(child) <= memoryLimitBytes) return false
      kill(
        failureReasons.jobOutOfMemory,
        `${what} needed more than its limit of ${limits.memoryMiB} MiB`,
      )
      return true
    }
    const poll = setInterval(overMemory, memoryPollMs)
    const control = { finish, overMemory }
    const onMessage = (message: message) => {
      if (!settled) parameters.onMessage(message, control)
    }
    const onExit = () =>
      finish(parameters.stopped({ failure: failureReasons.jobCrashed, message: parameters.died }))
    child.on('message', onMessage)
    child.once('exit', onExit)
    if (!overMemory()) child.send(parameters.request)
  })
}

/** The child's resident set size, from /proc (Linux); 0 where that cannot be read. */
function residentBytes(child: ChildProcess): number {
  try {
    const pages = Number(readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1])
    return pages * 4096
  } catch {
    return 0
  }
}
