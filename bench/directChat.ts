// The direct side of the inference figures (bench/figures/inference.ts): a chat model called with
// node-llama-cpp in a process of its own, as a program would, with the llm worker's environment,
// so that the two sides differ only by BOCC's path. It reads the model from a disk file into its
// own memory, as the llm worker does (not mapped, node-llama-cpp's default: a mapped file's pages
// and the worker's allocation differ in speed), times each generation itself, and talks to the
// benchmark over IPC.
import type { LlamaChat as LlamaChatType, LlamaContext } from 'node-llama-cpp'
import { getPrebuiltLlama } from '../src/enclave/runners/llm/prebuiltLlama.ts'

type Request =
  | { type: 'load'; path: string; contextSize: number }
  | { type: 'generate'; text: string; maxTokens: number }

const send = (message: unknown) => process.send?.(message)
let loaded: { context: LlamaContext; LlamaChat: typeof LlamaChatType } | undefined

process.on('message', async (request: Request) => {
  try {
    if (request.type === 'load') {
      const { llama, LlamaChat } = await getPrebuiltLlama()
      const model = await llama.loadModel({ modelPath: request.path, useMmap: false })
      const context = await model.createContext({ contextSize: request.contextSize, threads: 1 })
      loaded = { context, LlamaChat }
      return send({ type: 'ready' })
    }
    if (!loaded) throw new Error('no model is loaded')
    const sequence = loaded.context.getSequence()
    const chat = new loaded.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false })
    const times: number[] = []
    const started = performance.now()
    await chat.generateResponse(
      [
        { type: 'user', text: request.text },
        { type: 'model', response: [] },
      ],
      {
        maxTokens: request.maxTokens,
        temperature: 0,
        // The pieces of text a client receives: node-llama-cpp's last, empty one is not sent.
        onTextChunk: (text) => {
          if (text) times.push(performance.now())
        },
      },
    )
    chat.dispose({ disposeSequence: false })
    await sequence.clearHistory()
    sequence.dispose()
    send({ type: 'timed', started, times })
  } catch (error) {
    send({ type: 'failed', message: String(error) })
  }
})
process.on('disconnect', () => process.exit(0))
