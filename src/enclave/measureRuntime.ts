import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { concatBytes, type Hex, sha256, toBytes } from 'viem'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * What the enclave runtime is made of: its own folder, the isomorphic code it imports, and the
 * lock file that pins every dependency. The `sim` backend reports the hash of these files as its
 * measurement, the way a real TEE reports the hash of the image it booted.
 */
export const runtimePaths = [
  'src/enclave',
  'src/crypto',
  'src/protocol',
  'src/attestation/sim',
  'src/attestation/types.ts',
  'src/errors.ts',
  'package-lock.json',
]

/**
 * SHA-256 of "BOCC/runtime/v1\n" and one "sha256 path\n" line per file (sorted by path; tests
 * excluded). Anyone with the same source tree computes the same value.
 */
export function measureRuntime(root = repoRoot): Hex {
  const files = runtimePaths
    .flatMap((path) => listFiles(join(root, path)))
    .filter((file) => !file.endsWith('.test.ts'))
    .map((file) => relative(root, file).split('\\').join('/'))
    .sort()
  const manifest = files
    .map((file) => `${sha256(new Uint8Array(readFileSync(join(root, file)))).slice(2)} ${file}\n`)
    .join('')
  return sha256(concatBytes([toBytes('BOCC/runtime/v1\n'), toBytes(manifest)]))
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path).flatMap((name) => listFiles(join(path, name)))
}
