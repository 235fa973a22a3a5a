import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Worker } from 'node:worker_threads'
import { AnswerRing, answerRingBytes } from './answerRing.ts'

const bytesOf = (text: string) => new TextEncoder().encode(text)
const textOf = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes)

describe('the answer ring', () => {
  it('gives back what was pushed, in order, across its end', () => {
    const ring = new AnswerRing()
    assert.equal(ring.take(), undefined)
    const piece = 'x'.repeat(answerRingBytes / 3)
    for (let round = 0; round < 7; round++) {
      ring.push(bytesOf(`${round}a${piece}`))
      ring.push(bytesOf(`${round}b`))
      assert.equal(textOf(ring.take()), `${round}a${piece}${round}b`)
      assert.equal(ring.take(), undefined)
    }
  })

  it('refuses an answer larger than itself', () => {
    assert.throws(() => new AnswerRing().push(new Uint8Array(answerRingBytes)), RangeError)
  })

  it('makes a full ring wait for the other thread to take, losing and reordering nothing', async () => {
    const ring = new AnswerRing()
    // The pushes below fill the ring four times over, so they wait for the other thread.
    const taker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads')
       import(workerData.module).then(({ AnswerRing }) => {
         const ring = new AnswerRing(workerData.buffer)
         let total = 0
         let misplaced = 0
         while (total < workerData.expected) {
           const bytes = ring.take()
           if (!bytes) ring.waitForAnswers(5)
           else
             for (const byte of bytes)
               if (byte !== Math.floor(total++ / workerData.chunk) % 256) misplaced++
         }
         parentPort.postMessage({ total, misplaced })
       })`,
      {
        eval: true,
        workerData: {
          buffer: ring.buffer,
          module: new URL('./answerRing.ts', import.meta.url).href,
          expected: 4 * answerRingBytes,
          chunk: answerRingBytes / 8,
        },
      },
    )
    const taken = new Promise((resolve) => taker.once('message', resolve))
    for (let i = 0; i < 32; i++) ring.push(new Uint8Array(answerRingBytes / 8).fill(i))
    // The last pushes found room, so nothing woke the other thread: an answer that ends does.
    ring.wake()
    assert.deepEqual(await taken, { total: 4 * answerRingBytes, misplaced: 0 })
    await taker.terminate()
  })

  it('wakes a waiting forwarder, and lets it poll while a generation runs', () => {
    const ring = new AnswerRing()
    ring.setPolling(true)
    const started = performance.now()
    ring.waitForAnswers(20)
    assert.ok(performance.now() - started >= 15, 'a polling wait lasts its interval')
    ring.push(bytesOf('done'))
    ring.setPolling(false)
    // Something to take: an idle wait returns at once instead of sleeping until woken.
    ring.waitForAnswers(20)
    assert.equal(textOf(ring.take()), 'done')
  })
})
