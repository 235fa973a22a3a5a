import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PrivateKeyAccount } from 'viem/accounts'
import { openLease } from '../../src/chain/actions/leases/openLease.ts'
import { createLeaseClient } from '../../src/client/leases/createLeaseClient.ts'
import { startLeaseProxy } from '../../src/client/leases/startLeaseProxy.ts'
import { devBlobStore, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { createTinyChatBundle } from '../../src/solutions/tiny-chat/tinyChatSolution.ts'
import type { FigureContext, FigureReport } from '../report.ts'
import { summarize } from '../summary.ts'

type Timing = { ttftMs: number; itlMs: number }

const messages = [{ role: 'user' as const, content: 'hello world, how is the day' }]
const maxTokens = 64

/**
 * Time to first token and inter-token latency of the same model and request, two ways,
 * interleaved: through `bocc proxy`'s path (an OpenAI streaming request to the local proxy, sealed
 * to the enclave, through the provider's front and the enclave host, generated in the enclave's
 * llm worker, each token sealed back and opened) and called directly in one process with
 * node-llama-cpp (the same model bytes, context size, one thread, greedy). Ratios are through ÷
 * direct, medians over the rounds. The model is tiny-chat, whose tokens take about a millisecond:
 * the ratios show the path's fixed cost per request and per token at its most visible.
 */
export async function measureInference(context: FigureContext): Promise<FigureReport> {
  const rounds = context.mode === 'smoke' ? 2 : 15
  const workspace = await mkdtemp(join(tmpdir(), 'bocc-bench-inference-'))
  const network = await startDevNetwork({ directory: workspace, onProviderEvent: () => {} })
  try {
    const customer = await network.signer('customer')
    const { leaseId } = await openLease(customer, {
      teeOfferId: network.provider.offerId,
      solutionOfferId: network.tinyChat.offerId,
      durationSeconds: 3_600,
      maxTokens: 1_000_000n,
    })
    const client = await createLeaseClient({
      chain: customer,
      customer: customer.account as PrivateKeyAccount,
      blobs: devBlobStore(network),
      policy: network.policy,
      leaseId,
      endpoint: network.leaseEndpoint,
    })
    const proxy = await startLeaseProxy(client)
    const direct = await directModel(workspace)
    try {
      const through: Timing[] = []
      const plain: Timing[] = []
      // Warm both: the proxy verifies the enclave and the enclave loads the model on first use.
      await streamThroughProxy(proxy.url)
      await direct.generate()
      for (let round = 0; round < rounds; round++) {
        plain.push(await direct.generate())
        through.push(await streamThroughProxy(proxy.url))
      }
      const median = (values: number[]) => summarize(values, 3).median
      const ttftRatio = summarize(
        through.map((timing, index) => timing.ttftMs / (plain[index] as Timing).ttftMs),
        3,
      )
      const itlRatio = summarize(
        through.map((timing, index) => timing.itlMs / (plain[index] as Timing).itlMs),
        3,
      )
      context.log(
        `  inference TTFT ${median(through.map((t) => t.ttftMs))} ms through the enclave vs ${median(plain.map((t) => t.ttftMs))} ms direct (×${ttftRatio.median})`,
      )
      context.log(
        `  inference ITL ${median(through.map((t) => t.itlMs))} ms through the enclave vs ${median(plain.map((t) => t.itlMs))} ms direct (×${itlRatio.median})`,
      )
      const how = `tiny-chat, ${maxTokens} tokens greedy, ${rounds} interleaved rounds; through: OpenAI SSE request to bocc proxy → lease front → enclave (sim) llm worker, direct: node-llama-cpp in the measuring process`
      return {
        values: {
          inference_ttft_overhead_ratio: ttftRatio.median,
          inference_itl_overhead_ratio: itlRatio.median,
          inference_ttft_ms: median(through.map((t) => t.ttftMs)),
          inference_itl_ms: median(through.map((t) => t.itlMs)),
          inference_direct_ttft_ms: median(plain.map((t) => t.ttftMs)),
          inference_direct_itl_ms: median(plain.map((t) => t.itlMs)),
        },
        summaries: {
          inference_ttft_overhead_ratio: ttftRatio,
          inference_itl_overhead_ratio: itlRatio,
        },
        notes: { inference_ttft_overhead_ratio: how, inference_itl_overhead_ratio: how },
      }
    } finally {
      await direct.close()
      await proxy.close()
    }
  } finally {
    await network.stop()
    await rm(workspace, { recursive: true, force: true })
  }
}

/** One streaming request through the proxy: time to the first content delta, mean gap after it. */
async function streamThroughProxy(url: string): Promise<Timing> {
  const started = performance.now()
  const response = await fetch(`${url}v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny-chat', messages, max_tokens: maxTokens, stream: true }),
  })
  if (!response.ok || !response.body) throw new Error(`the proxy answered ${response.status}`)
  const times: number[] = []
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
    const now = performance.now()
    buffered += decoder.decode(piece, { stream: true })
    let end = buffered.indexOf('\n\n')
    while (end >= 0) {
      const event = buffered.slice(0, end)
      buffered = buffered.slice(end + 2)
      if (event.startsWith('data: {')) {
        const content = JSON.parse(event.slice(6)).choices?.[0]?.delta?.content
        if (content) times.push(now)
      }
      end = buffered.indexOf('\n\n')
    }
  }
  return timingOf(started, times)
}

/** The same model in this process, as a person would call node-llama-cpp. */
async function directModel(workspace: string) {
  const { getLlama, LlamaChat, LlamaLogLevel } = await import('node-llama-cpp')
  const bundle = createTinyChatBundle()
  const path = join(workspace, 'tiny-chat.gguf')
  await writeFile(path, bundle.files[0]?.bytes as Uint8Array)
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    usePrebuiltBinaries: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.disabled,
  })
  const model = await llama.loadModel({ modelPath: path })
  const llamaContext = await model.createContext({
    contextSize: bundle.manifest.limits.contextTokens ?? 512,
    threads: 1,
  })
  return {
    async generate(): Promise<Timing> {
      const sequence = llamaContext.getSequence()
      const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false })
      const times: number[] = []
      const started = performance.now()
      await chat.generateResponse(
        [
          { type: 'user', text: messages[0]?.content ?? '' },
          { type: 'model', response: [] },
        ],
        { maxTokens, temperature: 0, onTextChunk: () => times.push(performance.now()) },
      )
      chat.dispose({ disposeSequence: false })
      await sequence.clearHistory()
      sequence.dispose()
      return timingOf(started, times)
    },
    async close() {
      await llamaContext.dispose()
      await model.dispose()
      await llama.dispose()
    },
  }
}

function timingOf(started: number, times: number[]): Timing {
  const first = times[0]
  const last = times[times.length - 1]
  if (first === undefined || last === undefined) throw new Error('no token came')
  return {
    ttftMs: first - started,
    itlMs: times.length > 1 ? (last - first) / (times.length - 1) : 0,
  }
}
