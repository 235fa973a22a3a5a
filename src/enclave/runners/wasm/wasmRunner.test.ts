import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { it } from 'node:test'
import { assembleWat, echoWat } from '../../../../test/support/wasmModules.ts'
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
