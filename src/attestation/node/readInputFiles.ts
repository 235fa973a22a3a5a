/**
 * Node-only: reads the files given on the command line. A directory stands for every regular
 * file in it (not recursive, sorted by name); what each file is, is decided by its content.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { BoccError } from '../../errors.ts'

export class InputFileError extends BoccError {
  override name = 'InputFileError'
}

export async function readInputFiles(
  paths: string[],
): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out: { name: string; bytes: Uint8Array }[] = []
  for (const given of paths) {
    let info: Awaited<ReturnType<typeof stat>>
    try {
      info = await stat(given)
    } catch (cause) {
      throw new InputFileError(`Cannot read ${given}: no such file or directory.`, { cause })
    }
    const files = info.isDirectory()
      ? (await readdir(given, { withFileTypes: true }))
          .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
          .map((entry) => path.join(given, entry.name))
          .sort()
      : [given]
    for (const file of files) out.push({ name: file, bytes: await readInputFile(file) })
  }
  return out
}

export async function readInputFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file))
  } catch (cause) {
    throw new InputFileError(`Cannot read ${file}.`, { cause })
  }
}
