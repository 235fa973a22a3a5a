import { createSolutionBundle, type SolutionBundle } from '../../protocol/solutionBundle.ts'
import { writeTinyGguf } from './writeTinyGguf.ts'

/**
 * `tiny-chat`: a llama-architecture model with random weights (written on the spot, the same bytes
 * everywhere) as an `llm` solution. It answers nonsense, quickly: enough to try the confidential
 * chat endpoint, and to test and measure the whole path, with nothing downloaded.
 */
export const tinyChatManifest = {
  name: 'tiny-chat',
  version: '1.0.0',
  runner: 'llm',
  entry: 'model.gguf',
  inputs: [{ name: 'request', maxBytes: 1 << 20 }],
  outputs: [{ name: 'completion' }],
  limits: { memoryMiB: 1024, timeoutMs: 60_000, contextTokens: 512, maxTokens: 128 },
} as const

export function createTinyChatBundle(): SolutionBundle {
  return createSolutionBundle(tinyChatManifest, [
    {
      path: 'model.gguf',
      bytes: writeTinyGguf({ contextLength: tinyChatManifest.limits.contextTokens }),
    },
  ])
}
