// wordcount, a WASI program that counts a text's lines, words, characters and bytes, as a
// solution for the wasm runner. Its module is assembled at pack time from wordcount.wat beside
// this file by `wabt` (a pinned version assembles the same bytes everywhere), so the bundle holds
// nothing that is not in this repository as text.
//
//   node src/solutions/wordcount/wordCountSolution.ts --out FILE    writes the pack, prints its hash
import { readFileSync } from 'node:fs'
import wabt from 'wabt'
import { createSolutionBundle, type SolutionBundle } from '../../protocol/solutionBundle.ts'
import { packWhenRunAsScript, readManifestBeside } from '../shippedSolution.ts'

/** The bundle: the manifest and the assembled module (about 1 KB). */
export async function wordCountSolution(): Promise<SolutionBundle> {
  const source = readFileSync(new URL('wordcount.wat', import.meta.url), 'utf8')
  const toolkit = await wabt()
  const module = toolkit.parseWat('wordcount.wat', source)
  let wasm: Uint8Array
  try {
    module.validate()
    wasm = new Uint8Array(module.toBinary({}).buffer)
  } finally {
    module.destroy()
  }
  return createSolutionBundle(readManifestBeside(import.meta.url), [
    { path: 'wordcount.wasm', bytes: wasm },
  ])
}

await packWhenRunAsScript(import.meta.url, wordCountSolution)
