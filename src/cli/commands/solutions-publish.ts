import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { BoccError } from '../../errors.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { printJson } from '../output.ts'
import { createProgress } from '../progress.ts'
import { parseAmountArgument } from '../usage.ts'

export function define(command: Command) {
  command
    .argument('<file>', 'a solution bundle (made by `bocc solutions pack`)')
    .requiredOption('--price <amount>', 'price per order, in token units')
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(command, 'bocc solutions publish ocr.bundle --price 2')
}

/** Uploads the bundle (its descriptor and pack) and creates the solution offer. */
export async function run(
  file: string,
  options: NetworkFlags & { price: string; json?: boolean },
): Promise<number> {
  let pack: Uint8Array
  try {
    pack = new Uint8Array(await readFile(file))
  } catch {
    throw new BoccError(`cannot read the bundle ${file}`)
  }
  const { client } = await clientFrom(options, { account: true })
  const price = parseAmountArgument(options.price, await client.token(), '--price')
  const progress = createProgress(options)
  let published: Awaited<ReturnType<typeof client.publishSolution>>
  try {
    published = await client.publishSolution({ pack, price, onProgress: progress.listener })
  } finally {
    progress.done()
  }
  if (options.json) printJson({ ...published, price: price.toString() })
  else {
    console.log(`solution offer ${published.offerId}: ${published.name} ${published.version}`)
    console.log(
      `solution ${published.solutionHash}, bundle ${published.bundleHash}, price ${await client.formatAmount(price)}`,
    )
  }
  return 0
}
