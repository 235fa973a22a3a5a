import type { Command } from 'commander'
import { readPolicyFile } from '../../client/customerPolicy.ts'
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
    .argument('<file>', 'the data set, encrypted here before upload')
    .requiredOption('--price <amount>', 'price per order, in token units')
    .option(
      '--policy <file>',
      'the attestation policy an enclave must satisfy before `bocc owner serve` releases the key',
    )
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(command, 'bocc data publish records.csv --price 3 --policy release-policy.json')
}

/** Encrypts the data set here, uploads the ciphertext, keeps its key, and offers it for sale. */
export async function run(
  file: string,
  options: NetworkFlags & { price: string; policy?: string; json: boolean },
): Promise<number> {
  const releasePolicy = options.policy ? await readPolicyFile(options.policy) : undefined
  const { client } = await clientFrom({ ...options, policy: undefined }, { account: true })
  const price = parseAmountArgument(options.price, await client.token(), '--price')
  const progress = createProgress(options)
  let published: Awaited<ReturnType<typeof client.publishData>>
  try {
    published = await client.publishData({
      source: { path: file },
      price,
      ...(releasePolicy ? { policy: releasePolicy } : {}),
      onProgress: progress.listener,
    })
  } finally {
    progress.done()
  }
  if (options.json) printJson({ ...published, price: price.toString() })
  else {
    console.log(
      `data offer ${published.offerId}: ${published.dataHash} (${published.size} bytes, encrypted)`,
    )
    console.log(
      `price ${await client.formatAmount(price)}; its key is kept in ${published.keyFile}`,
    )
  }
  return 0
}
