import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { failureReasons } from '../../../protocol/failureReasons.ts'
import { createSolutionBundle } from '../../../protocol/solutionBundle.ts'
import {
  createTinyChatBundle,
  tinyChatManifest,
} from '../../../solutions/tiny-chat/tinyChatSolution.ts'
import { writeTinyGguf } from '../../../solutions/tiny-chat/writeTinyGguf.ts'
import { parseChatCompletionRequest } from './chatCompletionRequest.ts'
import { type LlmRunner, startLlmRunner } from './llmRunner.ts'
import { nextModelCore } from './modelCores.ts'

/** The llm workers this process started. */
const llmWorkers = () =>
  readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('llmWorker.ts'))
    .map(Number)
const coresOf = (task: string) =>
  /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${task}/status`, 'utf8'))?.[1]
const threadsOf = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).map((id) => ({
    name: readFileSync(`/proc/${pid}/task/${id}/comm`, 'utf8').trim(),
    cores: coresOf(`${pid}/task/${id}`),
  }))

describe('the llm runner', () => {
  let runner: LlmRunner
  before(async () => {
    runner = await startLlmRunner(createTinyChatBundle())
  })
  after(() => runner.close())

  const ask = (body: unknown) => {
    const pieces: string[] = []
    return runner
      .generate(parseChatCompletionRequest(body), (text) => pieces.push(text))
      .then((outcome) => ({ outcome, pieces }))
  }

  it('streams tokens from a GGUF model within max_tokens, the same for the same request', async () => {
    const body = { messages: [{ role: 'user', content: 'hello world' }], max_tokens: 12 }
    const first = await ask(body)
    assert.equal(first.outcome.ok, true)
    if (!first.outcome.ok) return
    assert.ok(first.outcome.completionTokens >= 1 && first.outcome.completionTokens <= 12)
    assert.ok(first.outcome.promptTokens > 2)
    assert.ok(first.pieces.length >= 1, 'text arrives in pieces as it is generated')
    const second = await ask(body)
    assert.deepEqual(second.pieces.join(''), first.pieces.join(''))
    assert.deepEqual(second.outcome, first.outcome)
  })

  it('runs its model on a core of its own, not the first, and answers from the first', (context) => {
    if (!nextModelCore()) return context.skip('one core, or no taskset: the scheduler places it')
    const workers = llmWorkers()
    assert.equal(workers.length, 1)
    assert.match(coresOf(`${workers[0]}`) ?? '', /^[1-9]\d*$/)
    const threads = threadsOf(Number(workers[0]))
    assert.deepEqual(
      threads.filter((thread) => thread.name === 'bocc-answers').map((thread) => thread.cores),
      ['0'],
      'the answer forwarder runs on the first core',
    )
    assert.ok(
      threads.every((thread) => (thread.name === 'bocc-answers') === (thread.cores === '0')),
    )
  })

  it('refuses max_tokens over the manifest and a prompt over the context', async () => {
    const over = await ask({
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: tinyChatManifest.limits.maxTokens + 1,
    })
    assert.deepEqual(over.pieces, [])
    assert.equal(over.outcome.ok, false)
    if (!over.outcome.ok) {
      assert.equal(over.outcome.failure, failureReasons.inputOverLimits)
      assert.match(over.outcome.message, /max_tokens 129 is over the solution’s limit of 128/)
    }
    const long = await ask({ messages: [{ role: 'user', content: 'secret '.repeat(600) }] })
    assert.deepEqual(long.pieces, [])
    assert.equal(long.outcome.ok, false)
    if (!long.outcome.ok) {
      assert.equal(long.outcome.failure, failureReasons.inputOverLimits)
      assert.match(long.outcome.message, /over the context of 512$/)
      assert.doesNotMatch(long.outcome.message, /secret/)
    }
  })

  it('serves an order’s job: a request body in, the completion out', async () => {
    const body = { messages: [{ role: 'user', content: 'one two' }], max_tokens: 4 }
    const outcome = await runner.run({
      inputs: [{ name: 'request', bytes: new TextEncoder().encode(JSON.stringify(body)) }],
      arguments: [],
      seed: new Uint8Array(32),
    })
    assert.ok('outputs' in outcome)
    const completion = JSON.parse(new TextDecoder().decode(outcome.outputs[0]?.bytes))
    assert.equal(completion.kind, 'chat')
    assert.ok(completion.usage.completionTokens <= 4)
    const rejected = await runner.run({
      inputs: [{ name: 'request', bytes: new TextEncoder().encode('not json') }],
      arguments: [],
      seed: new Uint8Array(32),
    })
    assert.deepEqual(rejected, {
      failure: failureReasons.inputRejected,
      message: 'the input is not a chat completion request (JSON)',
    })
  })

  it('answers the same without a core of its own (no taskset: no forwarder thread)', async () => {
    const path = process.env.PATH
    process.env.PATH = ''
    let unpinned: LlmRunner
    try {
      unpinned = await startLlmRunner(createTinyChatBundle())
    } finally {
      process.env.PATH = path
    }
    try {
      const body = { messages: [{ role: 'user', content: 'hello world' }], max_tokens: 12 }
      const pieces: string[] = []
      const outcome = await unpinned.generate(parseChatCompletionRequest(body), (text) =>
        pieces.push(text),
      )
      const pinned = await ask(body)
      assert.deepEqual(outcome, pinned.outcome)
      assert.equal(pieces.join(''), pinned.pieces.join(''))
      const forwarders = llmWorkers().map(
        (pid) => threadsOf(pid).filter((thread) => thread.name === 'bocc-answers').length,
      )
      assert.deepEqual(forwarders.sort(), nextModelCore() ? [0, 1] : [0, 0])
    } finally {
      await unpinned.close()
    }
  })

  it('gives each worker its own copy of the model, held once, and again after a restart', async () => {
    // 64 MiB of weights in its blocks (a wide vocabulary would add buffers of its own to the
    // worker): over IPC, a worker held its model about three times while it loaded.
    const model = writeTinyGguf({
      shape: { embeddingLength: 512, blockCount: 8, headCount: 8, feedForwardLength: 2048 },
    })
    const peakMiB = (pid: number) =>
      Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024
    const others = llmWorkers()
    const [tinyWorker] = others
    const large = await startLlmRunner(
      createSolutionBundle(
        { ...tinyChatManifest, limits: { ...tinyChatManifest.limits, memoryMiB: 1024 } },
        [{ path: 'model.gguf', bytes: model }],
      ),
    )
    try {
      const body = parseChatCompletionRequest({
        messages: [{ role: 'user', content: 'hello world' }],
        max_tokens: 8,
      })
      const generate = async () => {
        const pieces: string[] = []
        const outcome = await large.generate(body, (text) => pieces.push(text))
        assert.equal(outcome.ok, true)
        return pieces.join('')
      }
      const first = await generate()
      const [worker] = llmWorkers().filter((pid) => !others.includes(pid))
      assert.ok(worker && tinyWorker)
      const modelMiB = model.length / 2 ** 20
      const added = peakMiB(worker) - peakMiB(tinyWorker)
      assert.ok(
        added < 1.5 * modelMiB,
        `the worker's peak grew by ${added} MiB for ${modelMiB} MiB`,
      )
      // A fresh worker gets the whole model again from the runtime, and answers the same.
      process.kill(worker, 'SIGKILL')
      // Until the runner has reaped it (and so seen it exit).
      while (existsSync(`/proc/${worker}`)) await new Promise((resolve) => setTimeout(resolve, 10))
      assert.equal(await generate(), first)
    } finally {
      await large.close()
    }
  })

  it('kills a generation over its time limit', async () => {
    const slow = await startLlmRunner(
      createSolutionBundle(
        { ...tinyChatManifest, limits: { ...tinyChatManifest.limits, timeoutMs: 10 } },
        [{ path: 'model.gguf', bytes: writeTinyGguf() }],
      ),
    )
    try {
      const request = parseChatCompletionRequest({
        messages: [{ role: 'user', content: 'hello' }],
        max_tokens: 128,
      })
      const outcome = await slow.generate(request, () => {})
      // Loading the request and 128 tokens take far longer than 10 ms on any machine.
      assert.deepEqual(outcome, {
        ok: false,
        failure: failureReasons.jobTimedOut,
        message: 'the request ran past its limit of 10 ms',
      })
    } finally {
      await slow.close()
    }
  })
})

describe('the tiny GGUF model', () => {
  it('is the same bytes for the same seed, other bytes for another', () => {
    assert.deepEqual(writeTinyGguf({ seed: 7 }), writeTinyGguf({ seed: 7 }))
    assert.notDeepEqual(writeTinyGguf({ seed: 7 }), writeTinyGguf({ seed: 8 }))
    assert.equal(new TextDecoder().decode(writeTinyGguf().subarray(0, 4)), 'GGUF')
    // Another shape (as the benchmark's model of a real one's size): 16-bit weights, as seeded.
    const shape = {
      embeddingLength: 64,
      blockCount: 1,
      headCount: 4,
      headCountKv: 2,
      feedForwardLength: 96,
      extraWords: 10,
    }
    const shaped = writeTinyGguf({ shape, seed: 7 })
    assert.deepEqual(shaped, writeTinyGguf({ shape, seed: 7 }))
    assert.notDeepEqual(shaped, writeTinyGguf({ shape, seed: 8 }))
    assert.ok(Buffer.from(shaped).includes(Buffer.from('\u2581w9')))
  })
})
