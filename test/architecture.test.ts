import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { it } from 'node:test'

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** The project files a source file imports, as paths relative to the repository root. */
function projectImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((match) =>
    relative('.', normalize(join(dirname(file), match[1] as string)))
      .split('\\')
      .join('/'),
  )
}

it('the enclave runtime and the code it shares import nothing from the host side', () => {
  const hostSide = /from '(\.\.\/)+(provider|client|chain|cli|storage|committee|devnet)\//
  for (const directory of ['src/enclave', 'src/crypto', 'src/protocol', 'src/attestation/sim'])
    for (const file of sourceFiles(directory))
      assert.doesNotMatch(readFileSync(file, 'utf8'), hostSide, `${file} imports host-side code`)
})

it('the attestation library imports nothing BOCC-specific: callers pass the expected report_data', () => {
  for (const file of sourceFiles('src/attestation').filter((name) => !name.endsWith('.test.ts')))
    for (const imported of projectImportsOf(file))
      assert.ok(
        imported.startsWith('src/attestation/') || imported === 'src/errors.ts',
        `${file} imports ${imported}`,
      )
})

it('verifiers hold no signer: no key of the sim root, or any other, lives in the attestation library', () => {
  for (const file of sourceFiles('src/attestation').filter((name) => !name.endsWith('.test.ts')))
    assert.doesNotMatch(
      readFileSync(file, 'utf8'),
      /privateKeyToAccount|PrivateKey\b|\.sign\(/,
      `${file} holds a signer`,
    )
})

it('only the chain layer names the contracts’ ABIs (tests that build raw calls excepted)', () => {
  const namesAbi = /from '[./]*(src\/)?chain\/(artifacts|abis)\.ts'|from '\.\/(artifacts|abis)\.ts'/
  const rawCallTests = ['test/contracts/', 'test/support/', 'test/adversarial/']
  const files = ['src', 'test', 'scripts', 'bench'].flatMap(sourceFiles)
  const offenders = files.filter(
    (file) =>
      !file.startsWith('src/chain/') &&
      !rawCallTests.some((folder) => file.startsWith(folder)) &&
      namesAbi.test(readFileSync(file, 'utf8')),
  )
  assert.deepEqual(offenders, [])
})
