import { concatBytes, type Hex, toBytes } from 'viem'
import { sha256Of } from '../crypto/sha256.ts'
import { BoccError } from '../errors.ts'
import { canonicalJson } from './canonicalJson.ts'
import { decodeNamedBlobs, encodeNamedBlobs, type NamedBlob } from './namedBlobs.ts'

/**
 * Solution bundles (docs/protocol.md, "Solution bundles"): a manifest (`solution.json`) plus its
 * files. The solution hash is the SHA-256 of the bundle's descriptor, which holds the canonical
 * manifest and every file's hash, so anyone with the descriptor alone (published as a blob at the
 * solution hash) reads the manifest and its limits, and anyone with the files recomputes the hash.
 */
export const solutionRunners = ['ocr', 'onnx', 'wasm', 'llm'] as const
export type SolutionRunner = (typeof solutionRunners)[number]

export const tensorTypes = [
  'float32',
  'float64',
  'int32',
  'int64',
  'uint8',
  'int8',
  'bool',
] as const
export type TensorType = (typeof tensorTypes)[number]

/** An ONNX input or output: element type, shape (-1 for a free dimension) and wire format. */
export type TensorDeclaration = {
  dtype: TensorType
  shape: number[]
  /** `json`: `{ dims, data }` UTF-8 JSON; `raw`: the elements little-endian (fixed shape only). */
  format: 'json' | 'raw'
}

export type InputDeclaration = {
  name: string
  maxBytes: number
  /** Images (ocr): at most this many pixels, read from the PNG or JPEG header. */
  maxPixels?: number
  /** ONNX inputs: the tensor the model takes. */
  tensor?: TensorDeclaration
}

export type OutputDeclaration = { name: string; tensor?: TensorDeclaration }

export type SolutionManifest = {
  name: string
  version: string
  runner: SolutionRunner
  /** The file the runner starts from (for ocr: the detection model). */
  entry: string
  inputs: InputDeclaration[]
  outputs: OutputDeclaration[]
  /** `contextTokens` and `maxTokens` (the llm runner's, required there): the context window and the most tokens one request may generate. */
  limits: { memoryMiB: number; timeoutMs: number; contextTokens?: number; maxTokens?: number }
  /** WASM jobs: how many order arguments, and how many bytes of them, at most. */
  arguments?: { maxCount: number; maxBytes: number }
  /** Runner-specific file roles (ocr: `recognition`, `dictionary`), path by role. */
  files?: Record<string, string>
}

export const manifestFileName = 'solution.json'
export const solutionDomain = 'BOCC/solution/v2\n'
const packMagic = 'BOCCSOL1'

export class InvalidSolutionError extends BoccError {
  override name = 'InvalidSolutionError'
}

/** Reads and validates a manifest; every error names the field. */
export function parseSolutionManifest(value: unknown): SolutionManifest {
  const fail = (message: string): never => {
    throw new InvalidSolutionError(`solution.json: ${message}`)
  }
  const object = (item: unknown, where: string, keys: string[]) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      fail(`${where} must be an object`)
    for (const key of Object.keys(item as object))
      if (!keys.includes(key)) fail(`${where} has an unknown field "${key}"`)
    return item as Record<string, unknown>
  }
  const text = (item: unknown, where: string, pattern = /^[ -~\u00a0-\uffff]{1,200}$/) => {
    if (typeof item !== 'string' || !pattern.test(item)) fail(`${where} must be a short string`)
    return item as string
  }
  const count = (item: unknown, where: string, min = 1, max = 2 ** 53 - 1) => {
    if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < min || item > max)
      fail(`${where} must be an integer from ${min} to ${max}`)
    return item as number
  }
  const name = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
  const tensor = (item: unknown, where: string): TensorDeclaration => {
    const t = object(item, where, ['dtype', 'shape', 'format'])
    if (!tensorTypes.includes(t.dtype as TensorType))
      fail(`${where}.dtype must be one of ${tensorTypes.join(', ')}`)
    if (!Array.isArray(t.shape) || t.shape.length > 8) fail(`${where}.shape must be a short array`)
    const shape = (t.shape as unknown[]).map((dim, i) => count(dim, `${where}.shape[${i}]`, -1))
    if (shape.includes(0)) fail(`${where}.shape has a zero dimension`)
    if (t.format !== 'json' && t.format !== 'raw') fail(`${where}.format must be json or raw`)
    if (t.format === 'raw' && shape.includes(-1))
      fail(`${where}: a raw tensor needs a fixed shape (no -1)`)
    return { dtype: t.dtype as TensorType, shape, format: t.format as 'json' | 'raw' }
  }
  const m = object(value, 'the manifest', [
    'name',
    'version',
    'runner',
    'entry',
    'inputs',
    'outputs',
    'limits',
    'arguments',
    'files',
  ])
  const runner = m.runner as SolutionRunner
  if (!solutionRunners.includes(runner)) fail(`runner must be one of ${solutionRunners.join(', ')}`)
  if (!Array.isArray(m.inputs) || m.inputs.length < 1 || m.inputs.length > 16)
    fail('inputs must be an array of 1 to 16 inputs')
  if (!Array.isArray(m.outputs) || m.outputs.length < 1 || m.outputs.length > 16)
    fail('outputs must be an array of 1 to 16 outputs')
  const inputs = (m.inputs as unknown[]).map((item, i): InputDeclaration => {
    const input = object(item, `inputs[${i}]`, ['name', 'maxBytes', 'maxPixels', 'tensor'])
    return {
      name: text(input.name, `inputs[${i}].name`, name),
      maxBytes: count(input.maxBytes, `inputs[${i}].maxBytes`),
      ...(input.maxPixels === undefined
        ? {}
        : { maxPixels: count(input.maxPixels, `inputs[${i}].maxPixels`) }),
      ...(input.tensor === undefined
        ? {}
        : { tensor: tensor(input.tensor, `inputs[${i}].tensor`) }),
    }
  })
  const outputs = (m.outputs as unknown[]).map((item, i): OutputDeclaration => {
    const output = object(item, `outputs[${i}]`, ['name', 'tensor'])
    return {
      name: text(output.name, `outputs[${i}].name`, name),
      ...(output.tensor === undefined
        ? {}
        : { tensor: tensor(output.tensor, `outputs[${i}].tensor`) }),
    }
  })
  for (const [list, where] of [
    [inputs, 'inputs'],
    [outputs, 'outputs'],
  ] as const)
    if (new Set(list.map((item) => item.name)).size !== list.length)
      fail(`${where} has two entries of the same name`)
  if (runner === 'onnx')
    for (const [i, item] of [...inputs.entries(), ...outputs.entries()])
      if (!item.tensor) fail(`the onnx runner needs a tensor for ${item.name} (entry ${i})`)
  const limits = object(m.limits, 'limits', [
    'memoryMiB',
    'timeoutMs',
    'contextTokens',
    'maxTokens',
  ])
  if ((runner === 'llm') !== (limits.contextTokens !== undefined && limits.maxTokens !== undefined))
    fail('limits.contextTokens and limits.maxTokens are the llm runner’s, and it needs both')
  const manifest: SolutionManifest = {
    name: text(m.name, 'name'),
    version: text(m.version, 'version'),
    runner,
    entry: checkPath(text(m.entry, 'entry'), 'entry'),
    inputs,
    outputs,
    limits: {
      memoryMiB: count(limits.memoryMiB, 'limits.memoryMiB', 16, 65_536),
      timeoutMs: count(limits.timeoutMs, 'limits.timeoutMs', 10, 3_600_000),
      ...(runner === 'llm'
        ? {
            contextTokens: count(limits.contextTokens, 'limits.contextTokens', 16, 1 << 20),
            maxTokens: count(limits.maxTokens, 'limits.maxTokens', 1, 1 << 20),
          }
        : {}),
    },
  }
  if (m.arguments !== undefined) {
    const args = object(m.arguments, 'arguments', ['maxCount', 'maxBytes'])
    manifest.arguments = {
      maxCount: count(args.maxCount, 'arguments.maxCount', 0, 1024),
      maxBytes: count(args.maxBytes, 'arguments.maxBytes', 0, 1 << 20),
    }
  }
  if (m.files !== undefined) {
    const files = object(m.files, 'files', Object.keys(m.files as object))
    manifest.files = Object.fromEntries(
      Object.entries(files).map(([role, path]) => [
        text(role, 'files role', name),
        checkPath(text(path, `files.${role}`), `files.${role}`),
      ]),
    )
  }
  return manifest
}

/** A bundle path: relative, `/`-separated, no empty, `.` or `..` segment, safe characters only. */
function checkPath(path: string, where: string): string {
  if (
    path.length > 255 ||
    !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path) ||
    path.split('/').some((segment) => segment === '.' || segment === '..')
  )
    throw new InvalidSolutionError(`${where}: "${path}" is not a plain relative path`)
  return path
}

/** A bundle in memory: its manifest and its files (solution.json excluded), sorted by path. */
export type SolutionBundle = {
  manifest: SolutionManifest
  files: NamedBlob[]
  /** The bytes the solution hash is taken over. */
  descriptor: Uint8Array
  solutionHash: Hex
}

/**
 * The descriptor: "BOCC/solution/v2\n" ‖ canonical manifest JSON ‖ "\n" ‖ one
 * "<sha256 hex> <path>\n" line per file, sorted by path. Its SHA-256 is the solution hash.
 */
export function encodeSolutionDescriptor(
  manifest: SolutionManifest,
  fileHashes: { path: string; sha256: Hex }[],
): Uint8Array {
  const lines = [...fileHashes]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => `${file.sha256.slice(2).toLowerCase()} ${file.path}\n`)
    .join('')
  return concatBytes([toBytes(`${solutionDomain}${canonicalJson(manifest)}\n`), toBytes(lines)])
}

/** Builds a bundle from a manifest (parsed or raw) and files; checks every path and the entry. */
export function createSolutionBundle(
  manifestValue: unknown,
  files: { path: string; bytes: Uint8Array }[],
): SolutionBundle {
  const manifest = parseSolutionManifest(manifestValue)
  const sorted = [...files]
    .filter((file) => file.path !== manifestFileName)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const paths = new Set<string>()
  for (const file of sorted) {
    checkPath(file.path, 'file')
    if (paths.has(file.path)) throw new InvalidSolutionError(`the file ${file.path} appears twice`)
    paths.add(file.path)
  }
  for (const path of [manifest.entry, ...Object.values(manifest.files ?? {})])
    if (!paths.has(path)) throw new InvalidSolutionError(`the bundle has no file ${path}`)
  const descriptor = encodeSolutionDescriptor(
    manifest,
    sorted.map((file) => ({ path: file.path, sha256: sha256Of(file.bytes) })),
  )
  return {
    manifest,
    files: sorted.map((file) => ({ name: file.path, bytes: file.bytes })),
    descriptor,
    solutionHash: sha256Of(descriptor),
  }
}

/**
 * The deterministic pack of a bundle (one blob): named blobs with magic "BOCCSOL1", the first entry
 * `solution.json` holding the canonical manifest, then the files sorted by path.
 */
export function packSolutionBundle(bundle: SolutionBundle): Uint8Array {
  return encodeNamedBlobs(packMagic, [
    { name: manifestFileName, bytes: toBytes(canonicalJson(bundle.manifest)) },
    ...bundle.files,
  ])
}

export type UnpackLimits = { maxBytes: number; maxFiles: number }
export const defaultUnpackLimits: UnpackLimits = { maxBytes: 2 ** 31, maxFiles: 1024 }

/** Reads a pack back, validating everything, and recomputes its solution hash. */
export function unpackSolutionBundle(
  pack: Uint8Array,
  limits: UnpackLimits = defaultUnpackLimits,
): SolutionBundle {
  const [first, ...files] = decodeNamedBlobs(packMagic, pack, 'the solution bundle', {
    maxBytes: limits.maxBytes,
    maxEntries: limits.maxFiles + 1,
  })
  if (first?.name !== manifestFileName)
    throw new InvalidSolutionError('the solution bundle does not start with solution.json')
  let manifest: unknown
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(first.bytes))
  } catch {
    throw new InvalidSolutionError('solution.json is not JSON')
  }
  for (let i = 1; i < files.length; i++)
    if ((files[i - 1] as NamedBlob).name >= (files[i] as NamedBlob).name)
      throw new InvalidSolutionError('the files of the solution bundle are not sorted by path')
  return createSolutionBundle(
    manifest,
    files.map((file) => ({ path: file.name, bytes: file.bytes })),
  )
}

/** True when the bytes look like a pack (as opposed to, say, its ciphertext). */
export function isSolutionPack(bytes: Uint8Array): boolean {
  const magic = toBytes(packMagic)
  return magic.every((byte, i) => bytes[i] === byte)
}

/** Reads a published descriptor (the blob at the solution hash) back to its manifest. */
export function decodeSolutionDescriptor(descriptor: Uint8Array): {
  manifest: SolutionManifest
  files: { path: string; sha256: Hex }[]
  solutionHash: Hex
} {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(descriptor)
  } catch {
    throw new InvalidSolutionError('the solution descriptor is not UTF-8')
  }
  if (!text.startsWith(solutionDomain))
    throw new InvalidSolutionError('the bytes are not a BOCC solution descriptor')
  const [manifestLine = '', ...lines] = text.slice(solutionDomain.length).split('\n')
  let manifest: SolutionManifest
  try {
    manifest = parseSolutionManifest(JSON.parse(manifestLine))
  } catch (error) {
    if (error instanceof InvalidSolutionError) throw error
    throw new InvalidSolutionError('the solution descriptor’s manifest is not JSON')
  }
  if (lines.pop() !== '') throw new InvalidSolutionError('the solution descriptor is truncated')
  const files = lines.map((line) => {
    const match = /^([0-9a-f]{64}) (.+)$/.exec(line)
    if (!match) throw new InvalidSolutionError('the solution descriptor has a malformed file line')
    return { path: checkPath(match[2] as string, 'file'), sha256: `0x${match[1]}` as Hex }
  })
  const again = encodeSolutionDescriptor(manifest, files)
  if (sha256Of(again) !== sha256Of(descriptor))
    throw new InvalidSolutionError('the solution descriptor is not in canonical form')
  return { manifest, files, solutionHash: sha256Of(descriptor) }
}

/** The declaration of the input an order names, or the first one when it names none. */
export function inputDeclarationOf(
  manifest: SolutionManifest,
  name?: string,
): InputDeclaration | undefined {
  return name === undefined ? manifest.inputs[0] : manifest.inputs.find((i) => i.name === name)
}

/**
 * Publishes a bundle to a content-addressed store: its descriptor (whose address is the solution
 * hash, so anyone reads the manifest) and its pack, or the pack's ciphertext for an encrypted one.
 */
export async function publishSolutionBundle(
  store: { put(bytes: Uint8Array): Promise<Hex> },
  bundle: SolutionBundle,
  bundleBlob: Uint8Array = packSolutionBundle(bundle),
): Promise<{ solutionHash: Hex; bundleHash: Hex }> {
  const solutionHash = await store.put(bundle.descriptor)
  if (solutionHash !== bundle.solutionHash)
    throw new InvalidSolutionError('the store addressed the descriptor under another hash')
  return { solutionHash, bundleHash: await store.put(bundleBlob) }
}
