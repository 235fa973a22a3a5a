import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Every source file the verifier library loads, following relative imports from an entry point. */
function importGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = []
  const packages = new Set<string>()
  const pending = [entry]
  while (pending.length > 0) {
    const file = pending.pop() as string
    if (files.includes(file)) continue
    files.push(file)
    const source = readFileSync(file, 'utf8')
    // Static imports, side-effect imports and dynamic import('…'): lazily loaded code counts too.
    for (const match of source.matchAll(
      /(?:\bfrom|^\s*import|\bimport\s*\()\s*['"]([^'"]+)['"]/gm,
    )) {
      const specifier = match[1] as string
      if (specifier.startsWith('.')) pending.push(path.resolve(path.dirname(file), specifier))
      else packages.add(specifier)
    }
  }
  return { files, packages }
}

describe('the attestation library runs in browsers', () => {
  const { files, packages } = importGraph(path.join(here, 'verifyEvidence.ts'))

  it('loads no Node built-in module and uses no Node-only global', () => {
    assert.ok(files.length > 15, `only ${files.length} files followed`)
    for (const file of files) {
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      assert.doesNotMatch(
        source,
        /['"]node:|\bBuffer\b|\bprocess\.|\brequire\(|__dirname/,
        path.relative(here, file),
      )
    }
  })

  it('depends only on packages that run on WebCrypto in browsers, and holds no signer', () => {
    // viem/accounts (the sim root's signer) left with the signer for src/enclave/tee.
    assert.deepEqual([...packages].sort(), [
      '@noble/hashes/sha2',
      '@peculiar/asn1-ocsp',
      '@peculiar/asn1-schema',
      '@peculiar/asn1-x509',
      '@peculiar/x509',
      '@xmldom/xmldom',
      'reflect-metadata',
      'viem',
    ])
  })
})
