import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { sha256Of } from '../../crypto/sha256.ts'

import { BoccError } from '../../errors.ts'
import { unpackSolutionBundle } from '../../protocol/solutionBundle.ts'
import { addExamples, addJsonOption } from '../networkOptions.ts'

export function define(command: Command) {
  command.argument('<file>', 'a solution bundle (made by `bocc solutions pack`)')
  addJsonOption(command)
  addExamples(command, 'bocc solutions inspect my-model.bundle --json')
}

/** Shows a bundle file's solution hash, manifest, limits and files. */
export async function run(file: string, values: { json?: boolean }): Promise<number> {
  let pack: Uint8Array
  try {
    pack = new Uint8Array(await readFile(file))
  } catch {
    throw new BoccError(`cannot read ${file}`)
  }
  const bundle = unpackSolutionBundle(pack)
  const { manifest } = bundle
  const files = bundle.files.map((item) => ({
    path: item.name,
    bytes: item.bytes.length,
    sha256: sha256Of(item.bytes),
  }))
  if (values.json) {
    console.log(
      JSON.stringify({
        solutionHash: bundle.solutionHash,
        bundleHash: sha256Of(pack),
        manifest,
        files,
      }),
    )
    return 0
  }
  console.log(`${manifest.name} ${manifest.version} (runner ${manifest.runner})`)
  console.log(`solution hash  ${bundle.solutionHash}`)
  console.log(`bundle hash    ${sha256Of(pack)} (${pack.length} bytes)`)
  console.log(`entry          ${manifest.entry}`)
  console.log(`limits         ${manifest.limits.memoryMiB} MiB, ${manifest.limits.timeoutMs} ms`)
  for (const input of manifest.inputs)
    console.log(
      `input          ${input.name}: at most ${input.maxBytes} bytes${input.maxPixels ? `, ${input.maxPixels} pixels` : ''}${input.tensor ? `, ${input.tensor.dtype} [${input.tensor.shape.join(', ')}] ${input.tensor.format}` : ''}`,
    )
  for (const output of manifest.outputs) console.log(`output         ${output.name}`)
  for (const item of files)
    console.log(`file           ${item.sha256.slice(2, 18)}…  ${item.bytes}  ${item.path}`)
  return 0
}
