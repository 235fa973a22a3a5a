import { fork } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { createSolutionOffer } from '../../src/chain/actions/catalog/createSolutionOffer.ts'
import { openLease } from '../../src/chain/actions/leases/openLease.ts'
import { createLeaseClient } from '../../src/client/leases/createLeaseClient.ts'
import { startLeaseProxy } from '../../src/client/leases/startLeaseProxy.ts'
import { type DevNetwork, devBlobStore, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { hugePageAllocations } from '../../src/enclave/runners/llm/llmRunner.ts'
import { nextModelCore } from '../../src/enclave/runners/llm/modelCores.ts'
import {
  createSolutionBundle,
  publishSolutionBundle,
  type SolutionBundle,
} from '../../src/protocol/solutionBundle.ts'
import {
  createTinyChatBundle,
  tinyChatManifest,
} from '../../src/solutions/tiny-chat/tinyChatSolution.ts'
import { type ModelShape, writeTinyGguf } from '../../src/solutions/tiny-chat/writeTinyGguf.ts'
import { keepOffModelCores, llmWorkersUnder } from '../modelCoreLayout.ts'
import type { FigureContext, FigureReport } from '../report.ts'
import { summarize } from '../summary.ts'

type Timing = { ttftMs: number; itlMs: number }

const messages = [{ role: 'user' as const, content: 'hello world, how is the day' }]

/**
 * The shape of SmolLM-135M (576 wide, 30 blocks, 9 heads of which 3 for keys and values, 1,536
 * feed-forward, 49,152 tokens), the smallest chat model in common use: with random weights it
 * computes exactly as much per token as that model does, so the ratios are those a person would
 * see with the smallest real model. Its weights are 16-bit (311 MiB).
 */
const smolShape: ModelShape = {
  embeddingLength: 576,
  blockCount: 30,
  headCount: 9,
  headCountKv: 3,
  feedForwardLength: 1536,
  extraWords: 49_152 - 295,
}

/** What one model is measured with: its bundle as the vendor publishes it, tokens per request. */
type MeasuredModel = { name: string; bundle: () => SolutionBundle; maxTokens: number }

const smolModel: MeasuredModel = {
  name: 'smol-135m-shape',
  maxTokens: 32,
  bundle: () =>
    createSolutionBundle(
      {
        ...tinyChatManifest,
        name: 'smol-135m-shape',
        limits: { ...tinyChatManifest.limits, memoryMiB: 2048 },
      },
      [
        {
          path: 'model.gguf',
          bytes: writeTinyGguf({
            shape: smolShape,
            contextLength: tinyChatManifest.limits.contextTokens,
          }),
        },
      ],
    ),
}
const tinyModel: MeasuredModel = { name: 'tiny-chat', maxTokens: 64, bundle: createTinyChatBundle }

/**
 * Time to first token and inter-token latency of the same model and request, two ways,
 * interleaved: through `bocc proxy`'s path (an OpenAI streaming request to the local proxy, sealed
 * to the enclave, through the provider's front and the enclave host, generated in the enclave's
 * llm worker, each token sealed back and opened) and called directly with node-llama-cpp in a
 * process of its own (the same model bytes, read into memory as the worker reads them, context
 * size, one thread on a core of its own, greedy, and the llm worker's environment). Ratios are
 * through ÷ direct, medians over the rounds; the two sides alternate which goes first, and the
 * rounds are spread over fresh pairs of model processes (`processPairsFor`).
 *
 * The goal figures use a model of SmolLM-135M's shape (above). tiny-chat, whose tokens take well
 * under a millisecond, shows the path's fixed cost at its most visible: its figures are the
 * `inference_tiny_*` keys, and the added milliseconds, which no model choice changes, are
 * `inference_ttft_added_ms` and `inference_itl_added_ms`.
 */
export async function measureInference(context: FigureContext): Promise<FigureReport> {
  const smoke = context.mode === 'smoke'
  const workspace = await mkdtemp(join(tmpdir(), 'bocc-bench-inference-'))
  const network = await startDevNetwork({ directory: workspace, onProviderEvent: () => {} })
  try {
    const rounds = context.rounds ?? defaultRounds
    const real = smoke
      ? undefined
      : await compareThroughAndDirect(network, workspace, smolModel, rounds, context)
    const tiny = await compareThroughAndDirect(
      network,
      workspace,
      tinyModel,
      smoke ? 2 : 10,
      context,
    )
    // The smoke run measures the tiny model only: the real-sized one takes a minute to set up.
    const goal = real ?? tiny
    const how = (model: MeasuredModel, rounds: number) =>
      `${model.name}, ${model.maxTokens} tokens greedy, ${rounds} interleaved rounds over ${processPairsFor(rounds)} fresh pairs of model processes; through: OpenAI SSE request to bocc proxy → lease front → enclave host → enclave (sim) llm worker, direct: node-llama-cpp in a process of its own`
    const goalHow = real ? how(smolModel, rounds) : how(tinyModel, 2)
    return {
      values: {
        inference_ttft_overhead_ratio: goal.ttftRatio.median,
        inference_itl_overhead_ratio: goal.itlRatio.median,
        inference_ttft_ms: goal.throughTtftMs,
        inference_itl_ms: goal.throughItlMs,
        inference_direct_ttft_ms: goal.directTtftMs,
        inference_direct_itl_ms: goal.directItlMs,
        inference_ttft_added_ms: goal.ttftAdded.median,
        inference_itl_added_ms: goal.itlAdded.median,
        inference_tiny_ttft_overhead_ratio: tiny.ttftRatio.median,
        inference_tiny_itl_overhead_ratio: tiny.itlRatio.median,
        inference_tiny_ttft_added_ms: tiny.ttftAdded.median,
        inference_tiny_itl_added_ms: tiny.itlAdded.median,
      },
      summaries: {
        inference_ttft_overhead_ratio: goal.ttftRatio,
        inference_itl_overhead_ratio: goal.itlRatio,
        inference_tiny_ttft_overhead_ratio: tiny.ttftRatio,
        inference_tiny_itl_overhead_ratio: tiny.itlRatio,
      },
      notes: {
        inference_ttft_overhead_ratio: goalHow,
        inference_itl_overhead_ratio: goalHow,
        inference_tiny_ttft_overhead_ratio: how(tinyModel, smoke ? 2 : 10),
        inference_tiny_itl_overhead_ratio: how(tinyModel, smoke ? 2 : 10),
      },
    }
  } finally {
    await network.stop()
    await rm(workspace, { recursive: true, force: true })
  }
}

/**
 * Rounds of the goal model in a full run: what the benchmark's ten minutes leave. Each round
 * varies by about a tenth here, so the median of 10 moves by a few percent between runs; a run of
 * this figure alone with `--rounds 150` takes five minutes and resolves the ratios to about 1 %.
 */
const defaultRounds = 10

/** Requests through the path before the first measured round, so its code runs compiled. */
const pathWarmUps = 5

/**
 * How many fresh pairs of model processes (the enclave's worker and the direct one) the rounds are
 * split among. A pair keeps a bias of its own for its life, a few percent either way here (30
 * rounds on each of three pairs: ITL ×0.987, ×0.980, ×1.049), which more rounds on one pair do not
 * average out: a pair every ten rounds, at least three.
 */
const processPairsFor = (rounds: number) => Math.min(rounds, Math.max(3, Math.round(rounds / 10)))

/** Publishes the model (unless the network ships it), leases it, and measures both ways. */
async function compareThroughAndDirect(
  network: DevNetwork,
  workspace: string,
  model: MeasuredModel,
  rounds: number,
  context: FigureContext,
) {
  const bundle = model.bundle()
  const offerId = model === tinyModel ? network.tinyChat.offerId : await offerModel(network, bundle)
  const customer = await network.signer('customer')
  const { leaseId } = await openLease(customer, {
    teeOfferId: network.provider.offerId,
    solutionOfferId: offerId,
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
  let direct = await directModel(workspace, bundle, model.maxTokens)
  let releaseCores = () => {}
  try {
    const through: Timing[] = []
    const plain: Timing[] = []
    const pairs = processPairsFor(rounds)
    for (let pair = 0; pair < pairs; pair++) {
      if (pair > 0) {
        // A fresh pair of model processes: the enclave starts its worker again on the next request.
        releaseCores()
        for (const worker of llmWorkersUnder()) process.kill(worker, 'SIGKILL')
        await direct.close()
        direct = await directModel(workspace, bundle, model.maxTokens)
      }
      // Warm both: the proxy verifies the enclave and the enclave loads the model on first use;
      // the first pair also warms the path's processes, whose code V8 compiles as it goes.
      for (let warm = 0; warm < (pair === 0 ? pathWarmUps : 1); warm++) {
        await streamThroughProxy(proxy.url, model)
        await direct.generate()
      }
      releaseCores = keepOffModelCores([...llmWorkersUnder(), direct.pid])
      // Each side goes first in every other round, so neither always runs right after the other.
      const last = Math.round(((pair + 1) * rounds) / pairs)
      for (let round = through.length; round < last; round++) {
        if (round % 2 === 0) plain.push(await direct.generate())
        through.push(await streamThroughProxy(proxy.url, model))
        if (round % 2 === 1) plain.push(await direct.generate())
      }
    }
    const median = (values: number[]) => summarize(values, 3).median
    const paired = (of: (through: Timing, plain: Timing) => number) =>
      summarize(
        through.map((timing, index) => of(timing, plain[index] as Timing)),
        3,
      )
    const result = {
      ttftRatio: paired((a, b) => a.ttftMs / b.ttftMs),
      itlRatio: paired((a, b) => a.itlMs / b.itlMs),
      ttftAdded: paired((a, b) => a.ttftMs - b.ttftMs),
      itlAdded: paired((a, b) => a.itlMs - b.itlMs),
      throughTtftMs: median(through.map((t) => t.ttftMs)),
      throughItlMs: median(through.map((t) => t.itlMs)),
      directTtftMs: median(plain.map((t) => t.ttftMs)),
      directItlMs: median(plain.map((t) => t.itlMs)),
    }
    context.log(
      `  ${model.name}: TTFT ${result.throughTtftMs} ms through the enclave vs ${result.directTtftMs} ms direct (×${result.ttftRatio.median}, +${result.ttftAdded.median} ms)`,
    )
    context.log(
      `  ${model.name}: ITL ${result.throughItlMs} ms through the enclave vs ${result.directItlMs} ms direct (×${result.itlRatio.median}, +${result.itlAdded.median} ms)`,
    )
    return result
  } finally {
    releaseCores()
    await direct.close()
    await proxy.close()
  }
}

/** The model vendor publishes the bundle and offers it, as `bocc solutions publish` would. */
async function offerModel(network: DevNetwork, bundle: SolutionBundle): Promise<number> {
  const vendor = await network.signer('modelVendor')
  const { solutionHash, bundleHash } = await publishSolutionBundle(devBlobStore(network), bundle)
  const { offerId } = await createSolutionOffer(vendor, {
    solutionHash: solutionHash as Hex,
    price: 1n,
    bundleHash,
  })
  return offerId
}

/** One streaming request through the proxy: time to the first content delta, mean gap after it. */
async function streamThroughProxy(url: string, model: MeasuredModel): Promise<Timing> {
  const started = performance.now()
  const response = await fetch(`${url}v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: model.name,
      messages,
      max_tokens: model.maxTokens,
      stream: true,
    }),
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

/**
 * The same model called directly with node-llama-cpp, in a process of its own with the llm
 * worker's environment (bench/directChat.ts), so the two sides differ only by BOCC's path.
 */
async function directModel(workspace: string, bundle: SolutionBundle, maxTokens: number) {
  const path = join(workspace, `${bundle.manifest.name}.gguf`)
  await writeFile(path, bundle.files[0]?.bytes as Uint8Array)
  // On a core of its own, as the llm worker is (the same choice: the second core here).
  const launch = nextModelCore()
  const child = fork(new URL('../directChat.ts', import.meta.url), [], {
    env: { ...process.env, ...hugePageAllocations },
    serialization: 'advanced',
    ...(launch ? { execPath: launch.execPath, execArgv: launch.execArgv } : {}),
  })
  const ask = (request: object) =>
    new Promise<{ type: string; started?: number; times?: number[]; message?: string }>(
      (resolve, reject) => {
        const onExit = (code: number | null) =>
          reject(new Error(`the direct model's process exited (${code})`))
        child.once('exit', onExit)
        child.once('message', (answer: { type: string; message?: string }) => {
          child.off('exit', onExit)
          if (answer.type === 'failed') reject(new Error(`the direct model: ${answer.message}`))
          else resolve(answer)
        })
        child.send(request)
      },
    )
  try {
    await ask({ type: 'load', path, contextSize: bundle.manifest.limits.contextTokens ?? 512 })
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    pid: child.pid as number,
    async generate(): Promise<Timing> {
      const { started, times } = await ask({
        type: 'generate',
        text: messages[0]?.content ?? '',
        maxTokens,
      })
      return timingOf(started as number, times as number[])
    },
    async close() {
      child.kill('SIGKILL')
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
