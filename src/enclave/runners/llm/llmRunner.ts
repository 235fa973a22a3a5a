import type { ChildProcess } from 'node:child_process'
import { shortMessageOf } from '../../../errors.ts'
import { failureReasons } from '../../../protocol/failureReasons.ts'
import type { SolutionBundle } from '../../../protocol/solutionBundle.ts'
import type { Job, JobOutcome, JobRunner } from '../jobRunner.ts'
import { startWarmWorker } from '../native/nativeRunner.ts'
import { superviseRequest } from '../native/superviseRequest.ts'
import {
  type ChatCompletionRequest,
  ChatRequestRejectedError,
  type GenerateChat,
  type GenerationBounds,
  type GenerationOutcome,
  parseChatCompletionRequest,
} from './chatCompletionRequest.ts'
import type { LlmWorkerRequest, LlmWorkerResponse } from './llmWorker.ts'
import { nextModelCore } from './modelCores.ts'

const workerEntry = new URL('./llmWorker.ts', import.meta.url)

/**
 * The llm worker's environment: glibc backs its large allocations with transparent huge pages
 * (where the kernel grants them on request), so the model's weights, read into the worker's own
 * memory, are walked with 2 MiB pages as a model mapped from a disk file is, instead of 4 KiB
 * ones, which cost about a tenth of every token (BENCHMARKS.md, "Where the time goes").
 */
export const hugePageAllocations = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }

/** A warm `llm` solution: one model in one bounded child process, one generation at a time. */
export type LlmRunner = JobRunner & {
  /** The most tokens one request may generate, and the context window (from the manifest). */
  limits: { maxTokens: number; contextTokens: number }
  generate: GenerateChat
}

/**
 * Runs an `llm` solution (a GGUF model, llama.cpp through node-llama-cpp) in a child process, as
 * the native runner runs ONNX models, on a core of its own where the machine has one to spare
 * (`nextModelCore`): the model loads once; a generation whose process passes the
 * memory limit or the time limit (`limits.timeoutMs`, per request) is killed and fails with reason
 * 8 or 7, one whose process dies with reason 6, and a fresh process serves the next. A request
 * over `limits.maxTokens`, or whose prompt and `max_tokens` do not fit `limits.contextTokens`, is
 * refused with reason 3 before a token is generated.
 *
 * As an order's job (the market's one-shot path), input 1 is an OpenAI chat completion request
 * body (JSON) and output 1 the completion: `{ kind: "chat", version: 1, content, usage }`.
 */
export async function startLlmRunner(bundle: SolutionBundle): Promise<LlmRunner> {
  const { limits: manifestLimits } = bundle.manifest
  const limits = {
    maxTokens: manifestLimits.maxTokens ?? 1,
    contextTokens: manifestLimits.contextTokens ?? 1,
  }
  const worker = await startWarmWorker(bundle, workerEntry, {
    // PATH, for the worker to find `taskset` and move its answer forwarder off its core.
    env: { ...hugePageAllocations, PATH: process.env.PATH ?? '' },
    launcher: () => nextModelCore(),
    answersOverPipe: true,
    entryOverPipe: true,
  })
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  const generateOne = async (
    request: ChatCompletionRequest,
    onText: (text: string) => void,
    bounds: GenerationBounds = {},
  ): Promise<GenerationOutcome> => {
    if (closed)
      return { ok: false, failure: failureReasons.solutionUnavailable, message: 'runner closed' }
    const maxTokens = request.maxTokens ?? limits.maxTokens
    if (maxTokens > limits.maxTokens)
      return {
        ok: false,
        failure: failureReasons.inputOverLimits,
        message: `max_tokens ${maxTokens} is over the solution’s limit of ${limits.maxTokens}`,
      }
    // Read now, in its turn: the requests before it in the queue have been counted.
    const tokenBudget = bounds.tokenBudget?.()
    if (tokenBudget !== undefined && tokenBudget <= 0)
      return {
        ok: false,
        failure: failureReasons.inputOverLimits,
        message: 'the lease’s token budget is spent',
      }
    let child: ChildProcess
    try {
      child = await worker.live()
    } catch (error) {
      return {
        ok: false,
        failure: failureReasons.solutionUnavailable,
        message: shortMessageOf(error),
      }
    }
    const outcome = await superviseRequest<GenerationOutcome, LlmWorkerResponse>(child, {
      limits: manifestLimits,
      what: 'the request',
      died: 'the model’s process died',
      request: {
        type: 'generate',
        messages: request.messages,
        maxTokens,
        temperature: request.temperature,
        ...(tokenBudget === undefined ? {} : { tokenBudget }),
      } satisfies LlmWorkerRequest,
      stopped: (stop) => ({ ok: false, ...stop }),
      onMessage(message, { finish, overMemory }) {
        if (message.type === 'text') onText(message.text)
        else if (message.type === 'done') {
          if (overMemory()) return
          finish({
            ok: true,
            promptTokens: message.promptTokens,
            completionTokens: message.completionTokens,
            finishReason: message.finishReason,
          })
        } else if (message.type === 'rejected')
          finish({ ok: false, failure: failureReasons.inputOverLimits, message: message.message })
        else if (message.type === 'crashed')
          finish({ ok: false, failure: failureReasons.jobCrashed, message: message.message })
      },
    })
    worker.replaceIfGone(child)
    return outcome
  }

  const generate: LlmRunner['generate'] = (request, onText, bounds) => {
    const result = queue.then(() => generateOne(request, onText, bounds))
    queue = result.catch(() => undefined)
    return result
  }

  return {
    limits,
    generate,
    async run(job: Job): Promise<JobOutcome> {
      const input = job.inputs[0]
      let request: ChatCompletionRequest
      try {
        request = parseChatCompletionRequest(JSON.parse(new TextDecoder().decode(input?.bytes)))
      } catch (error) {
        return {
          failure: failureReasons.inputRejected,
          message:
            error instanceof ChatRequestRejectedError
              ? error.shortMessage
              : 'the input is not a chat completion request (JSON)',
        }
      }
      const pieces: string[] = []
      const outcome = await generate(request, (text) => pieces.push(text))
      if (!outcome.ok) return { failure: outcome.failure, message: outcome.message }
      const { ok: _ok, ...usage } = outcome
      const completion = { kind: 'chat', version: 1, content: pieces.join(''), usage }
      const name = bundle.manifest.outputs[0]?.name ?? 'completion'
      return { outputs: [{ name, bytes: new TextEncoder().encode(JSON.stringify(completion)) }] }
    },
    async close() {
      closed = true
      await worker.close()
    },
  }
}
