import assert from 'node:assert/strict'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { measureRuntime, runtimePaths } from './measureRuntime.ts'

it('measures the runtime’s files: the same tree gives the same value, any change another', async () => {
  const copy = await mkdtemp(join(tmpdir(), 'bocc-measure-'))
  try {
    for (const path of runtimePaths) await cp(path, join(copy, path), { recursive: true })
    assert.equal(measureRuntime(copy), measureRuntime())
    await writeFile(join(copy, 'src/enclave/runOrder.ts'), '// changed\n', { flag: 'a' })
    assert.notEqual(measureRuntime(copy), measureRuntime())
    // Tests are not part of the runtime.
    const before = measureRuntime(copy)
    await writeFile(join(copy, 'src/enclave/extra.test.ts'), 'test')
    assert.equal(measureRuntime(copy), before)
  } finally {
    await rm(copy, { recursive: true, force: true })
  }
})
