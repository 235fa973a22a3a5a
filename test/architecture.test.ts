import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

it('the enclave runtime and the code it shares import nothing from the host side', () => {
  const hostSide = /from '(\.\.\/)+(provider|client|chain|cli|storage)\//
  for (const directory of ['src/enclave', 'src/crypto', 'src/protocol', 'src/attestation/sim'])
    for (const file of sourceFiles(directory))
      assert.doesNotMatch(readFileSync(file, 'utf8'), hostSide, `${file} imports host-side code`)
})

it('only the chain layer names the contracts’ ABIs (tests that build raw calls excepted)', () => {
  const namesAbi = /from '[./]*(src\/)?chain\/(artifacts|abis)\.ts'|from '\.\/(artifacts|abis)\.ts'/
  const rawCallTests = ['test/contracts/', 'test/support/']
  const files = ['src', 'test', 'scripts', 'bench'].flatMap(sourceFiles)
  const offenders = files.filter(
    (file) =>
      !file.startsWith('src/chain/') &&
      !rawCallTests.some((folder) => file.startsWith(folder)) &&
      namesAbi.test(readFileSync(file, 'utf8')),
  )
  assert.deepEqual(offenders, [])
})
