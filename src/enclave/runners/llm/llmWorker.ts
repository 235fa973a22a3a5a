// A child process of the enclave runtime that runs an `llm` solution (llama.cpp through
// node-llama-cpp), so its memory and time can be bounded and a crash ends one request, not the
// runtime. Requests come over the IPC channel, answers go back on its answer pipe
// (offCoreAnswers.ts); its stdout and stderr go nowhere.

import type { ChatHistoryItem, LlamaChat, LlamaContext, LlamaModel } from 'node-llama-cpp'
import { shortMessageOf } from '../../../errors.ts'
import type { NamedBlob } from '../../../protocol/namedBlobs.ts'
import type { SolutionManifest } from '../../../protocol/solutionBundle.ts'
import { receiveEntry } from '../native/entryPipe.ts'
import type { ChatMessage, FinishReason } from './chatCompletionRequest.ts'
import { type Answers, startAnswers } from './offCoreAnswers.ts'
import { getPrebuiltLlama } from './prebuiltLlama.ts'

export type LlmWorkerRequest =
  | {
      type: 'load'
      manifest: SolutionManifest
      /** The bundle's other files: the model itself comes on the entry pipe, this many bytes. */
      files: NamedBlob[]
      entryLength?: number
    }
  | {
      type: 'generate'
      messages: ChatMessage[]
      maxTokens: number
      temperature: number
      /** Prompt and generated tokens together may not exceed this (a lease's budget left). */
      tokenBudget?: number
    }

export type LlmWorkerResponse =
  | { type: 'ready' }
  | { type: 'load-failed'; message: string }
  | { type: 'text'; text: string }
  | { type: 'done'; promptTokens: number; completionTokens: number; finishReason: FinishReason }
  | { type: 'rejected'; message: string }
  | { type: 'crashed'; message: string }

for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const)
  console[method] = () => {}
let answers: Answers | undefined
const answering = startAnswers().then((ready) => {
  answers = ready
})
const send = (message: LlmWorkerResponse) => answers?.send(message)

type Loaded = {
  model: LlamaModel
  context: LlamaContext
  manifest: SolutionManifest
  LlamaChat: typeof LlamaChat
}
let loaded: Loaded | undefined

process.on('message', async (message: LlmWorkerRequest) => {
  await answering
  if (message.type === 'load') {
    try {
      loaded = await load(message.manifest, message.entryLength)
      send({ type: 'ready' })
    } catch (error) {
      send({ type: 'load-failed', message: shortMessageOf(error) })
    }
    return
  }
  if (!loaded) return send({ type: 'crashed', message: 'no solution is loaded' })
  try {
    await generate(loaded, message)
  } catch {
    // The library's messages could quote the prompt: only a fixed line goes back.
    send({ type: 'crashed', message: 'the model failed while generating' })
  }
})
process.on('disconnect', () => process.exit(0))

async function load(manifest: SolutionManifest, entryLength?: number): Promise<Loaded> {
  if (entryLength === undefined) throw new Error(`the bundle has no file ${manifest.entry}`)
  const { llama, LlamaChat } = await getPrebuiltLlama()
  // Read into the worker's memory rather than mapped from the memory-backed file: the file's
  // pages are 4 KiB (shared memory gets no huge pages here), the worker's allocation can get
  // 2 MiB ones; the file is gone once read.
  const file = receiveEntry(entryLength)
  let model: LlamaModel
  try {
    model = await llama.loadModel({ modelPath: file.path, useMmap: false })
  } finally {
    file.close()
  }
  const contextSize = manifest.limits.contextTokens ?? 0
  // One thread, so concurrent enclaves on a small machine do not fight over cores.
  const context = await model.createContext({ contextSize, threads: 1 })
  return { model, context, manifest, LlamaChat }
}

async function generate(
  { model, context, manifest, LlamaChat }: Loaded,
  request: Extract<LlmWorkerRequest, { type: 'generate' }>,
) {
  const contextTokens = manifest.limits.contextTokens ?? 0
  const history: ChatHistoryItem[] = request.messages.map((message) =>
    message.role === 'assistant'
      ? { type: 'model', response: [message.content] }
      : { type: message.role, text: message.content },
  )
  history.push({ type: 'model', response: [] })
  // Each request starts from an empty context: nothing of one customer's prompt stays for another.
  const sequence = context.getSequence()
  try {
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false })
    const promptTokens = chat.chatWrapper
      .generateContextState({ chatHistory: history })
      .contextText.tokenize(model.tokenizer).length
    if (request.tokenBudget !== undefined && promptTokens >= request.tokenBudget)
      return send({
        type: 'rejected',
        message: `the prompt needs ${promptTokens} tokens, and the lease’s budget has ${request.tokenBudget} left`,
      })
    const maxTokens = Math.min(
      request.maxTokens,
      request.tokenBudget === undefined ? request.maxTokens : request.tokenBudget - promptTokens,
    )
    if (promptTokens + maxTokens > contextTokens)
      return send({
        type: 'rejected',
        message: `the prompt and max_tokens need ${promptTokens + maxTokens} tokens, over the context of ${contextTokens}`,
      })
    let completionTokens = 0
    answers?.generating(true)
    const result = await chat.generateResponse(history, {
      maxTokens,
      temperature: request.temperature,
      onToken: (tokens) => {
        completionTokens += tokens.length
      },
      // node-llama-cpp ends with an empty piece: nothing to send.
      onTextChunk: (text) => {
        if (text) send({ type: 'text', text })
      },
    })
    send({
      type: 'done',
      promptTokens,
      completionTokens,
      finishReason: result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
    })
    chat.dispose({ disposeSequence: false })
  } finally {
    answers?.generating(false)
    await sequence.clearHistory()
    sequence.dispose()
  }
}
