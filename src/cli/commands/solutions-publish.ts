import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { readPolicyFile } from '../../client/customerPolicy.ts'
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
import { parseAmountArgument, UsageError } from '../usage.ts'

export function define(command: Command) {
  command
    .argument('<file>', 'a solution bundle (made by `bocc solutions pack`)')
    .requiredOption('--price <amount>', 'price per order, in token units')
    .option(
      '--encrypt',
      'publish the bundle encrypted; `bocc owner serve` releases its key per order',
    )
    .option('--policy <file>', 'with --encrypt: the policy an enclave must satisfy to get the key')
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(command, 'bocc solutions publish ocr.bundle --price 2')
}

/** Uploads the bundle (its descriptor and pack) and creates the solution offer. */
export async function run(
  file: string,
  options: NetworkFlags & { price: string; encrypt?: boolean; json?: boolean },
): Promise<number> {
  if (options.policy && !options.encrypt)
    throw new UsageError(
      '--policy is the release policy of an encrypted bundle: give --encrypt too',
    )
  const releasePolicy = options.policy ? await readPolicyFile(options.policy) : undefined
  let pack: Uint8Array
  try {
    pack = new Uint8Array(await readFile(file))
  } catch {
    throw new BoccError(`cannot read the bundle ${file}`)
  }
  const { client } = await clientFrom({ ...options, policy: undefined }, { account: true })
  const price = parseAmountArgument(options.price, await client.token(), '--price')
  const progress = createProgress(options)
  let published: Awaited<ReturnType<typeof client.publishSolution>>
  try {
    published = await client.publishSolution({
      pack,
      price,
      ...(options.encrypt ? { encrypt: releasePolicy ? { policy: releasePolicy } : true } : {}),
      onProgress: progress.listener,
    })
  } finally {
    progress.done()
  }
  if (options.json) printJson({ ...published, price: price.toString() })
  else {
    console.log(
      `solution offer ${published.offerId}: ${published.name} ${published.version}${published.encrypted ? ' (encrypted; its key is released by `bocc owner serve`)' : ''}`,
    )
    console.log(
      `solution ${published.solutionHash}, bundle ${published.bundleHash}, price ${await client.formatAmount(price)}`,
    )
  }
  return 0
}
