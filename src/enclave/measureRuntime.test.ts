import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'
import {
  measureRuntime,
  runtimeDependencies,
  runtimePackages,
  runtimePaths,
} from './measureRuntime.ts'

/**
 * What the enclave runtime loads, following imports from its entry point: the project files, and
 * the npm packages it names directly (`node:` built-ins are part of the Node binary).
 */
function runtimeImportGraph(entry: string): { files: string[]; packages: string[] } {
  const seen = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = readFileSync(file, 'utf8')
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const specifier = match[1] as string
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier))
      else if (!specifier.startsWith('node:'))
        packages.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        )
    }
  }
  visit(resolve(entry))
  return {
    files: [...seen].map((file) => relative(process.cwd(), file).split('\\').join('/')),
    packages: [...packages].sort(),
  }
}

async function copyOfRuntime(): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'bocc-measure-'))
  for (const path of [...runtimePaths, 'package-lock.json'])
    await cp(path, join(copy, path), { recursive: true })
  return copy
}

describe('runtime measurement', () => {
  it('covers every file and every package the enclave runtime loads', () => {
    const graph = runtimeImportGraph('src/enclave/main.ts')
    assert.ok(graph.files.length > 10)
    const unmeasured = graph.files.filter(
      (file) => !runtimePaths.some((path) => file === path || file.startsWith(`${path}/`)),
    )
    assert.deepEqual(unmeasured, [], 'the runtime loads files its measurement does not cover')
    assert.deepEqual(graph.packages, [...runtimePackages].sort())
    const pinned = runtimeDependencies().map((pin) => pin.name)
    for (const name of runtimePackages) assert.ok(pinned.includes(name), `${name} is pinned`)
    // Transitive dependencies count too: viem's own (for example @noble/curves) are pinned.
    assert.ok(pinned.includes('@noble/curves'))
    assert.ok(runtimeDependencies().every((pin) => pin.integrity.startsWith('sha512-')))
  })

  it('changes when loaded code changes: a runtime file, or the exact version of a dependency', async () => {
    const copy = await copyOfRuntime()
    try {
      assert.equal(measureRuntime(copy), measureRuntime())
      await writeFile(join(copy, 'src/enclave/runOrder.ts'), '// changed\n', { flag: 'a' })
      const afterCodeChange = measureRuntime(copy)
      assert.notEqual(afterCodeChange, measureRuntime())
      const lockPath = join(copy, 'package-lock.json')
      const lock = JSON.parse(await readFile(lockPath, 'utf8'))
      const curves = lock.packages['node_modules/@noble/curves']
      curves.version = `${curves.version}-other`
      await writeFile(lockPath, JSON.stringify(lock, null, 2))
      assert.notEqual(measureRuntime(copy), afterCodeChange)
    } finally {
      await rm(copy, { recursive: true, force: true })
    }
  })

  it('stays the same when an install rewrites metadata: tests, lock formatting, other platforms, dev tools', async () => {
    const copy = await copyOfRuntime()
    try {
      const before = measureRuntime(copy)
      await writeFile(join(copy, 'src/enclave/extra.test.ts'), 'test')
      const lockPath = join(copy, 'package-lock.json')
      const lock = JSON.parse(await readFile(lockPath, 'utf8'))
      // Another platform's native build, and a development tool, appear or change in the lock.
      lock.packages['node_modules/@img/sharp-win32-x64'] = {
        version: '0.33.5',
        integrity: 'sha512-other',
        os: ['win32'],
        cpu: ['x64'],
        optional: true,
      }
      lock.packages['node_modules/@biomejs/biome'].integrity = 'sha512-rewritten'
      delete lock.packages['node_modules/viem'].license
      await writeFile(lockPath, JSON.stringify(lock))
      assert.equal(measureRuntime(copy), before)
    } finally {
      await rm(copy, { recursive: true, force: true })
    }
  })
})
