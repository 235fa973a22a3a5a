import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { it } from 'node:test'
import { assembleWat, echoWat } from '../../../../test/support/wasmModules.ts'
import { failureReasons } from '../../../protocol/failureReasons.ts'
import { createSolutionBundle } from '../../../protocol/solutionBundle.ts'
import { isScratchOfProcess, scratchRoot, startWasmRunner } from './wasmRunner.ts'

it('wipes the in-memory job files a runtime killed mid-job left, and no live runtime’s', async () => {
  // A process that has ended: its id names no running runtime.
  const ended = spawnSync(process.execPath, ['-e', ''])
  const deadPid = ended.pid as number
  const dead = join(scratchRoot, `bocc-job-${deadPid}-left-by-a-killed-runtime`)
  const live = join(scratchRoot, `bocc-job-${process.pid}-of-a-running-runtime`)
  await mkdir(join(dead, 'in'), { recursive: true })
  await writeFile(join(dead, 'in', 'data'), 'a secret input')
  await mkdir(live, { recursive: true })
  try {
    const bundle = createSolutionBundle(
      {
        name: 'echo',
        version: '1',
        runner: 'wasm',
        entry: 'main.wasm',
        inputs: [{ name: 'data', maxBytes: 64 }],
        outputs: [{ name: 'result' }],
        limits: { memoryMiB: 16, timeoutMs: 2000 },
      },
      [{ path: 'main.wasm', bytes: await assembleWat(echoWat) }],
    )
    const runner = await startWasmRunner(bundle)
    await runner.close()
    assert.equal(existsSync(dead), false)
    assert.equal(existsSync(live), true)
    assert.ok(isScratchOfProcess(`bocc-job-${process.pid}-abc`, process.pid))
    assert.ok(!isScratchOfProcess(`bocc-job-${process.pid}1-abc`, process.pid))
  } finally {
    await rm(dead, { recursive: true, force: true })
    await rm(live, { recursive: true, force: true })
  }
})

it('serves job after job from warm threads, and replaces a thread whose job trapped or looped', async () => {
  // The echo module, made to trap when its input starts with "t" and to loop on "l".
  const moody = echoWat.replace(
    '(local.set $n (i32.load (i32.const 300)))',
    `(local.set $n (i32.load (i32.const 300)))
    (if (i32.eq (i32.load8_u (i32.const 8192)) (i32.const 116)) (then unreachable))
    (if (i32.eq (i32.load8_u (i32.const 8192)) (i32.const 108)) (then (loop $forever (br $forever))))`,
  )
  const bundle = createSolutionBundle(
    {
      name: 'moody-echo',
      version: '1',
      runner: 'wasm',
      entry: 'main.wasm',
      inputs: [{ name: 'data', maxBytes: 64 }],
      outputs: [{ name: 'result' }],
      limits: { memoryMiB: 16, timeoutMs: 300 },
    },
    [{ path: 'main.wasm', bytes: await assembleWat(moody) }],
  )
  const runner = await startWasmRunner(bundle)
  const run = (text: string, seed = 1) =>
    runner.run({
      inputs: [{ name: 'data', bytes: new TextEncoder().encode(text) }],
      arguments: [],
      seed: new Uint8Array(32).fill(seed),
    })
  const echoed = async (text: string, seed = 1) => {
    const outcome = await run(text, seed)
    assert.ok('outputs' in outcome, JSON.stringify(outcome))
    const bytes = outcome.outputs[0]?.bytes as Uint8Array
    return { text: new TextDecoder().decode(bytes.subarray(0, text.length)), bytes }
  }
  try {
    const first = await echoed('first')
    assert.equal(first.text, 'first')
    // A warm thread gives the next job nothing of the last: its own input, the same bytes for
    // the same seed.
    assert.equal((await echoed('second')).text, 'second')
    assert.deepEqual((await echoed('first')).bytes, first.bytes)
    assert.notDeepEqual((await echoed('first', 2)).bytes, first.bytes)
    assert.deepEqual(await run('trap'), {
      failure: failureReasons.jobCrashed,
      message: 'the module trapped',
    })
    const looped = await run('loop')
    assert.ok('failure' in looped && looped.failure === failureReasons.jobTimedOut)
    const after = await Promise.all(['a1', 'b2', 'c3', 'd4'].map((text) => echoed(text)))
    assert.deepEqual(
      after.map((outcome) => outcome.text),
      ['a1', 'b2', 'c3', 'd4'],
    )
  } finally {
    await runner.close()
  }
})
