// The llm worker's answer forwarder: a thread, on a core other than the model's, that writes the
// answers the main thread puts in the ring to the answer pipe (offCoreAnswers.ts).
import { workerData } from 'node:worker_threads'
import { writeAnswerLines } from '../native/answerPipe.ts'
import { AnswerRing } from './answerRing.ts'

const { buffer, pollMs } = workerData as { buffer: SharedArrayBuffer; pollMs: number }
const ring = new AnswerRing(buffer)
for (;;) {
  const bytes = ring.take()
  if (bytes) writeAnswerLines(bytes)
  else ring.waitForAnswers(pollMs)
}
