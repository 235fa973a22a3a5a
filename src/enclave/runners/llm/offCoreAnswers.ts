// How the llm worker answers the runtime. On a core of its own (modelCores.ts), every answer
// written from the model's core cost that core about 0.1 ms a token, between two tokens: a cold
// system call and the wake-up of the runtime on the other core (BENCHMARKS.md, "Where the time
// goes"). There, a forwarder thread on the first core writes the answers instead, and the main
// thread only copies each into shared memory: the forwarder looks every `pollMs` while a
// generation runs (a fraction of a token's time, so tokens are no further apart on average), and
// is woken at once for the answers that end a request. Anywhere else, answers are written
// directly.
import { Worker } from 'node:worker_threads'
import { answerLine, writeAnswerLines } from '../native/answerPipe.ts'
import { AnswerRing } from './answerRing.ts'
import { isOnModelCore, moveThreadToFirstCore } from './modelCores.ts'

/** How often the forwarder looks for answers during a generation. */
const pollMs = 0.5
const forwarderName = 'bocc-answers'

export type Answers = {
  /** Sends an answer: a piece of text leaves within `pollMs`, any other answer at once. */
  send(message: { type: string }): void
  /** Called around a generation: the forwarder polls only while one runs. */
  generating(on: boolean): void
}

/** The worker's way of answering: through the forwarder where it helps, directly otherwise. */
export async function startAnswers(): Promise<Answers> {
  const direct: Answers = {
    send: (message) => writeAnswerLines(answerLine(message)),
    generating: () => {},
  }
  if (!isOnModelCore()) return direct
  const ring = new AnswerRing()
  const forwarder = new Worker(new URL('./answerForwarder.ts', import.meta.url), {
    name: forwarderName,
    workerData: { buffer: ring.buffer, pollMs },
  })
  const started = await new Promise<boolean>((resolve) => {
    forwarder.once('online', () => resolve(true))
    forwarder.once('error', () => resolve(false))
  })
  if (!started || !moveThreadToFirstCore(forwarderName)) {
    await forwarder.terminate()
    return direct
  }
  // Without its forwarder the worker cannot answer: it ends, and the runtime sees it die.
  forwarder.on('exit', () => process.exit(70))
  return {
    send(message) {
      ring.push(answerLine(message))
      if (message.type !== 'text') ring.wake()
    },
    generating: (on) => ring.setPolling(on),
  }
}
