import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { concatBytes, type Hex, sha256, toBytes } from 'viem'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * The project's own code the enclave runtime loads: its folder and the isomorphic code it imports.
 * The `sim` backend reports the hash of these files and of its dependencies' exact versions as its
 * measurement, the way a real TEE reports the hash of the image it booted.
 */
export const runtimePaths = [
  'src/enclave',
  'src/crypto',
  'src/protocol',
  'src/attestation/sim',
  'src/attestation/checks.ts',
  'src/attestation/types.ts',
  // The report parsers the hardware backends read their own measurement with.
  'src/attestation/intel/quote.ts',
  'src/attestation/amd/report.ts',
  // The SPDM parser the GPU source checks its evidence's nonce with.
  'src/attestation/nvidia/spdmMeasurements.ts',
  'src/attestation/byteReader.ts',
  'src/attestation/errors.ts',
  'src/errors.ts',
  // Wiping the scratch of runtimes that died mid-job.
  'src/processes/isProcessRunning.ts',
]

/**
 * The npm packages the runtime imports directly. Their exact versions, and those of everything they
 * depend on, are measured through the lock file's integrity hashes (the hash of each published
 * tarball, the same on every platform), not through the lock file's text, which installs rewrite.
 */
export const runtimePackages = [
  '@gutenye/ocr-common',
  '@hpke/core',
  '@hpke/dhkem-x25519',
  '@noble/hashes',
  'node-llama-cpp',
  'onnxruntime-node',
  'sharp',
  'viem',
]

/**
 * SHA-256 of "BOCC/runtime/v2\n", one "sha256 path\n" line per runtime file (sorted by path; tests
 * excluded), "dependencies\n", and one "integrity name@version\n" line per package the runtime
 * loads (sorted). Anyone with the same source tree and lock file computes the same value.
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
  const dependencies = runtimeDependencies(root)
    .map((pin) => `${pin.integrity} ${pin.name}@${pin.version}\n`)
    .join('')
  return sha256(
    concatBytes([
      toBytes('BOCC/runtime/v2\n'),
      toBytes(manifest),
      toBytes('dependencies\n'),
      toBytes(dependencies),
    ]),
  )
}

export type PackagePin = { name: string; version: string; integrity: string }

type LockEntry = {
  version?: string
  integrity?: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  optional?: boolean
  os?: string[]
  cpu?: string[]
}

/**
 * Every package the runtime's packages pull in, resolved through package-lock.json the way Node
 * resolves `node_modules`. Optional platform-specific packages (`optional` with `os` or `cpu` in the
 * lock) are left out: they are native builds for one machine kind, which the hardware measurement of a real TEE
 * image covers and which must not make the sim measurement differ between machines.
 */
export function runtimeDependencies(root = repoRoot): PackagePin[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  const pins = new Map<string, PackagePin>()
  const visit = (path: string) => {
    const entry = lock.packages[path]
    if (!entry || pins.has(path) || isPlatformBuild(entry)) return
    pins.set(path, {
      name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version ?? '',
      integrity: entry.integrity ?? '',
    })
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const resolved = resolveFrom(lock.packages, path, name)
      if (resolved) visit(resolved)
    }
  }
  for (const name of runtimePackages) visit(`node_modules/${name}`)
  return [...pins.values()].sort((a, b) =>
    `${a.name}@${a.version}` < `${b.name}@${b.version}` ? -1 : 1,
  )
}

/** The lock path Node would load `name` from when required by the package at `from`. */
function resolveFrom(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  let base = from
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`
    if (packages[candidate]) return candidate
    if (!base) return undefined
    const parent = base.lastIndexOf('/node_modules/')
    base = parent === -1 ? '' : base.slice(0, parent)
  }
}

function isPlatformBuild(entry: LockEntry): boolean {
  return entry.optional === true && (entry.os !== undefined || entry.cpu !== undefined)
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path).flatMap((name) => listFiles(join(path, name)))
}
