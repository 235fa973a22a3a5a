// A worker thread that runs plain in-process OCR: the baseline the confidential figures compare to.
import { readFile } from 'node:fs/promises'
import { parentPort } from 'node:worker_threads'

import { createPlainOcrEngine } from './plainOcr.ts'

const engine = await createPlainOcrEngine()
const image = new Uint8Array(await readFile('examples/lab-report.png'))
await engine.recognise(image)

parentPort?.on('message', async (pages: number) => {
  for (let i = 0; i < pages; i++) await engine.recognise(image)
  parentPort?.postMessage('done')
})
