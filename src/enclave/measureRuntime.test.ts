import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { measureRuntime, runtimePaths } from './measureRuntime.ts'

/** Every project file the enclave runtime loads, following relative imports from its entry point. */
function runtimeImportGraph(entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g))
      visit(resolve(dirname(file), match[1] as string))
  }
  visit(resolve(entry))
  return [...seen].map((file) => relative(process.cwd(), file).split('\\').join('/'))
}

describe('runtime measurement', () => {
  it('covers every file the enclave runtime loads', () => {
    const files = runtimeImportGraph('src/enclave/main.ts')
    assert.ok(files.length > 10)
    const unmeasured = files.filter(
      (file) => !runtimePaths.some((path) => file === path || file.startsWith(`${path}/`)),
    )
    assert.deepEqual(unmeasured, [], 'the runtime loads files its measurement does not cover')
  })

  it('is the same for the same tree and differs after any change', async () => {
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
})
