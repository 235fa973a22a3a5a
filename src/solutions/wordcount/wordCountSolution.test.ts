import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type JobRunner, startJobRunner } from '../../enclave/runners/jobRunner.ts'
import { wordCountSolution } from './wordCountSolution.ts'

describe('the wordcount solution, on the wasm runner', () => {
  let runner: JobRunner
  before(async () => {
    runner = await startJobRunner(await wordCountSolution())
  })
  after(() => runner?.close())

  const count = async (text: string | Uint8Array) => {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text
    const outcome = await runner.run({
      inputs: [{ name: 'text', bytes }],
      arguments: [],
      seed: new Uint8Array(32),
    })
    assert.ok('outputs' in outcome, JSON.stringify(outcome))
    const [counts] = outcome.outputs
    assert.equal(counts?.name, 'counts')
    const line = new TextDecoder().decode(counts?.bytes)
    assert.match(line, /\n$/)
    return JSON.parse(line)
  }

  it('counts lines, words, characters and bytes as wc does', async () => {
    assert.deepEqual(await count('the quick brown fox\njumps over\tthe lazy dog\n'), {
      lines: 2,
      words: 9,
      characters: 44,
      bytes: 44,
    })
    assert.deepEqual(await count(''), { lines: 0, words: 0, characters: 0, bytes: 0 })
    // Characters are code points: "Glück über Zürich" has 17, in 20 bytes.
    assert.deepEqual(await count('  Glück über\r\nZürich'), {
      lines: 1,
      words: 3,
      characters: 20,
      bytes: 23,
    })
  })

  it('reads an input longer than its 64 KiB buffer whole, with words across the chunks', async () => {
    // 30,000 × "word " is 150,000 bytes: the runs cross the 65,536-byte chunk boundaries.
    const text = 'word '.repeat(30_000)
    assert.deepEqual(await count(text), {
      lines: 0,
      words: 30_000,
      characters: 150_000,
      bytes: 150_000,
    })
  })

  it('packs to the same solution hash on every machine', async () => {
    // Assembled from the text beside it by the pinned wabt: a change of either changes this.
    const bundle = await wordCountSolution()
    assert.equal(
      bundle.solutionHash,
      '0xf1a8c3a8646f3bb4e611dd1e00226039932c28edb6fbe95652ddc244ef7ba5d2',
    )
  })
})
