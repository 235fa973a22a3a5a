import type { Llama, LlamaChat } from 'node-llama-cpp'

/**
 * llama.cpp as BOCC runs it: the prebuilt CPU binary shipped in the npm package, never a download
 * or a build, and silent (its log could quote a prompt). Imported on first use: loading the
 * binding costs what a runner without a chat model should not pay.
 */
export async function getPrebuiltLlama(): Promise<{ llama: Llama; LlamaChat: typeof LlamaChat }> {
  const { getLlama, LlamaChat, LlamaLogLevel } = await import('node-llama-cpp')
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    usePrebuiltBinaries: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.disabled,
  })
  return { llama, LlamaChat }
}
