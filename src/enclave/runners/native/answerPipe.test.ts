import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, it } from 'node:test'
import { answerPipeFd, maxAnswerBytes, readAnswers } from './answerPipe.ts'

/** A worker that runs `code` with its answer pipe, read as the runtime reads it. */
function workerWriting(code: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', code], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc', 'pipe'],
  })
  readAnswers(child)
  return child
}

const write = (text: string) =>
  `require('node:fs').writeSync(${answerPipeFd}, ${JSON.stringify(text)})`

describe('the answer pipe', () => {
  it('gives each line as a message, in order, however the writes cut them', async () => {
    const child = workerWriting(
      `${write('{"type":"text","text":"a\\nb"}\n{"ty')};
       setTimeout(() => { ${write('pe":"done"}\n')}; process.exit(0) }, 50)`,
    )
    const messages: unknown[] = []
    child.on('message', (message) => messages.push(message))
    await once(child, 'close')
    assert.deepEqual(messages, [{ type: 'text', text: 'a\nb' }, { type: 'done' }])
  })

  it('kills a worker that writes a line that is not JSON', async () => {
    const child = workerWriting(
      `${write('{"type":"text"}\nnot json\n')}; setInterval(() => {}, 1000)`,
    )
    const messages: unknown[] = []
    child.on('message', (message) => messages.push(message))
    const [, signal] = await once(child, 'exit')
    assert.equal(signal, 'SIGKILL')
    assert.deepEqual(messages, [{ type: 'text' }])
  })

  it('kills a worker whose line grows past any answer', async () => {
    const child = workerWriting(
      `const piece = 'x'.repeat(65536)
       for (let i = 0; i < ${maxAnswerBytes / 65536 + 2}; i++) ${write('').replace('""', 'piece')}
       setInterval(() => {}, 1000)`,
    )
    const [, signal] = await once(child, 'exit')
    assert.equal(signal, 'SIGKILL')
  })
})
