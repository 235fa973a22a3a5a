import type { FailureReason } from '../../protocol/failureReasons.ts'
import type { NamedBlob } from '../../protocol/namedBlobs.ts'
import type { SolutionBundle } from '../../protocol/solutionBundle.ts'
import type { GenerateChat } from './llm/chatCompletionRequest.ts'

/** One job for a loaded solution: its decrypted inputs (by name), arguments and per-order seed. */
export type Job = {
  inputs: NamedBlob[]
  arguments: string[]
  /** 32 bytes derived from the order id: what WASI's random and clocks are seeded with. */
  seed: Uint8Array
}

export type JobOutcome =
  | { outputs: NamedBlob[] }
  /** `message` names the cause or limit only: it goes to the host's log. */
  | { failure: FailureReason; message: string }

/**
 * A warm runner of one loaded solution: the model or module is loaded once and serves every order
 * for that solution, each job isolated and bounded by the manifest's memory and time limits.
 */
export type JobRunner = {
  run(job: Job): Promise<JobOutcome>
  close(): Promise<void>
  /** Chat models (the `llm` runner) also stream replies to lease requests. */
  generate?: GenerateChat
}

export async function startJobRunner(bundle: SolutionBundle): Promise<JobRunner> {
  if (bundle.manifest.runner === 'llm') {
    const { startLlmRunner } = await import('./llm/llmRunner.ts')
    return startLlmRunner(bundle)
  }
  if (bundle.manifest.runner === 'wasm') {
    const { startWasmRunner } = await import('./wasm/wasmRunner.ts')
    return startWasmRunner(bundle)
  }
  const { startNativeRunner } = await import('./native/nativeRunner.ts')
  return startNativeRunner(bundle)
}
