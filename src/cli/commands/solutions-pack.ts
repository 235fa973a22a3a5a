import { lstat, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { Command } from 'commander'
import { BoccError } from '../../errors.ts'
import {
  createSolutionBundle,
  InvalidSolutionError,
  manifestFileName,
  packSolutionBundle,
} from '../../protocol/solutionBundle.ts'
import { addExamples, addJsonOption } from '../networkOptions.ts'

export function define(command: Command) {
  command
    .argument('<dir>', 'a solution directory: solution.json and its files')
    .requiredOption('--out <file>', 'where to write the bundle')
  addJsonOption(command)
  addExamples(command, 'bocc solutions pack ./my-model --out my-model.bundle')
}

/** Packs the directory reproducibly; prints the solution hash (the same files give the same bytes). */
export async function run(
  directory: string,
  values: { out: string; json?: boolean },
): Promise<number> {
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
