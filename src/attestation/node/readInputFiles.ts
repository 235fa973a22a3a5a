/**
 * Node-only: reads the files given on the command line. A directory stands for every regular
 * file in it (not recursive, sorted by name); what each file is, is decided by its content.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { BoccError } from '../../errors.ts'
import { inputLimits } from '../limits.ts'

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
    if (out.length + files.length > inputLimits.files)
      throw new InputFileError(`More than ${inputLimits.files} files were given.`)
    for (const file of files) out.push({ name: file, bytes: await readInputFile(file) })
  }
  return out
}

/** A file's bytes, refused by its size before it is read when it exceeds `maxBytes`. */
export async function readInputFile(
  file: string,
  maxBytes: number = inputLimits.fileBytes,
): Promise<Uint8Array> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch (cause) {
    throw new InputFileError(`Cannot read ${file}: no such file or directory.`, { cause })
  }
  if (size > maxBytes)
    throw new InputFileError(`${file} is ${size} bytes; at most ${maxBytes} are accepted.`)
  try {
    return new Uint8Array(await readFile(file))
  } catch (cause) {
    throw new InputFileError(`Cannot read ${file}.`, { cause })
  }
}
