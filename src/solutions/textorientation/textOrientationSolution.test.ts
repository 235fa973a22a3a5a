import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import sharp from 'sharp'
import { type JobRunner, startJobRunner } from '../../enclave/runners/jobRunner.ts'
import { textLineTensor } from './textLineTensor.ts'
import { textOrientationSolution } from './textOrientationSolution.ts'

/** Lines of the sample lab report (examples/lab-report.png): the title and the glucose result. */
const lines = [
  { left: 55, top: 50, width: 180, height: 45 },
  { left: 55, top: 236, width: 180, height: 46 },
]

describe('the text-orientation solution, on the onnx runner', () => {
  let runner: JobRunner
  let report: Buffer
  before(async () => {
    report = await readFile('examples/lab-report.png')
    runner = await startJobRunner(textOrientationSolution())
  })
  after(() => runner?.close())

  const classify = async (image: Buffer) => {
    const tensor = await textLineTensor(new Uint8Array(image))
    assert.equal(tensor.length, 3 * 48 * 192 * 4)
    const outcome = await runner.run({
      inputs: [{ name: 'x', bytes: tensor }],
      arguments: [],
      seed: new Uint8Array(32),
    })
    assert.ok('outputs' in outcome, JSON.stringify(outcome))
    const output = JSON.parse(new TextDecoder().decode(outcome.outputs[0]?.bytes))
    assert.equal(output.dtype, 'float32')
    assert.deepEqual(output.dims, [1, 2])
    return output.data as [number, number]
  }

  it('tells an upright line of text from one upside down', async () => {
    for (const line of lines) {
      const upright = await sharp(report).extract(line).png().toBuffer()
      const [up, down] = await classify(upright)
      assert.ok(up > 0.9 && down < 0.1, `upright line read as ${up}, ${down}`)
      const [flippedUp, flippedDown] = await classify(await sharp(upright).rotate(180).toBuffer())
      assert.ok(
        flippedDown > 0.9 && flippedUp < 0.1,
        `flipped line read as ${flippedUp}, ${flippedDown}`,
      )
    }
  })
})
