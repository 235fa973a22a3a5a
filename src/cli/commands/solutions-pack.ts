import { lstat, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { BoccError } from '../../errors.ts'
import {
  createSolutionBundle,
  InvalidSolutionError,
  manifestFileName,
  packSolutionBundle,
} from '../../protocol/solutionBundle.ts'
import { UsageError } from '../usage.ts'

export const usage = 'bocc solutions pack DIR --out FILE [--json]'
export const summary =
  'pack a solution directory (solution.json and its files) into one bundle file'

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, json: { type: 'boolean', default: false } },
  })
  const [directory] = positionals
  if (positionals.length !== 1 || !directory) throw new UsageError('give exactly one DIR')
  if (!values.out) throw new UsageError('--out FILE is required')
  let manifest: unknown
  try {
    manifest = JSON.parse(await readFile(join(directory, manifestFileName), 'utf8'))
  } catch (error) {
    throw new InvalidSolutionError(
      (error as { code?: string }).code === 'ENOENT'
        ? `${directory} has no ${manifestFileName}`
        : `${join(directory, manifestFileName)} is not JSON`,
    )
  }
  const files = await listFiles(directory)
  const bundle = createSolutionBundle(
    manifest,
    await Promise.all(
      files.map(async (path) => ({
        path,
        bytes: new Uint8Array(await readFile(join(directory, path))),
      })),
    ),
  )
  const pack = packSolutionBundle(bundle)
  await writeFile(values.out, pack)
  const { name, version, runner } = bundle.manifest
  console.log(
    values.json
      ? JSON.stringify({
          solutionHash: bundle.solutionHash,
          runner,
          name,
          version,
          bytes: pack.length,
        })
      : bundle.solutionHash,
  )
  return 0
}

/** Every regular file under `directory` (relative, `/`-separated); links are refused. */
async function listFiles(directory: string): Promise<string[]> {
  let entries: string[]
  try {
    entries = (await readdir(directory, { recursive: true })).map(String)
  } catch {
    throw new BoccError(`cannot read the directory ${directory}`)
  }
  const files: string[] = []
  for (const entry of entries) {
    const path = join(directory, String(entry))
    const info = await lstat(path)
    if (info.isSymbolicLink())
      throw new InvalidSolutionError(`${path} is a link; bundles hold files only`)
    if (info.isFile()) files.push(relative(directory, path).split('\\').join('/'))
  }
  return files
}
