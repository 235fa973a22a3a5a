import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { sha256Of } from '../../crypto/sha256.ts'

import { BoccError } from '../../errors.ts'
import { formatOrderId } from '../../protocol/orderTerms.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { printJson } from '../output.ts'
import { createProgress } from '../progress.ts'
import { parseOrderIdArgument } from '../usage.ts'

export function define(command: Command) {
  command
    .argument('<order-id>', 'the order id (0x and 64 hex digits)')
    .requiredOption(
      '--out <path>',
      'where to write the output; a directory, one file per output, when the solution has several',
    )
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(command, 'bocc orders result 0x0c4d…8cca --out text.json')
}

/**
 * Downloads the order's output, checks it against the receipt's hash, decrypts it with the
 * result key kept when the order was placed, and writes the bytes exactly as the solution produced
 * them (each file written whole, then renamed into place).
 */
export async function run(
  text: string,
  options: NetworkFlags & { out: string; json: boolean },
): Promise<number> {
  const orderId = parseOrderIdArgument(text)
  const { client } = await clientFrom(options, { account: true })
  const progress = createProgress(options)
  let fetched: Awaited<ReturnType<typeof client.getResult>>
  try {
    fetched = await client.getResult({ orderId, onProgress: progress.listener })
  } finally {
    progress.done()
  }
  const outputs = Object.entries(fetched.outputs)
  const files =
    outputs.length === 1
      ? [
          {
            name: outputs[0]?.[0] as string,
            path: options.out,
            bytes: outputs[0]?.[1] as Uint8Array,
          },
        ]
      : outputs.map(([name, bytes]) => ({ name, path: join(options.out, name), bytes }))
  if (outputs.length !== 1) await mkdir(options.out, { recursive: true })
  for (const file of files) await writeWhole(file.path, file.bytes)
  if (options.json)
    printJson({
      orderId: formatOrderId(orderId),
      outputHash: fetched.order.completion?.outputHash ?? null,
      outputs: files.map((file) => ({
        name: file.name,
        file: file.path,
        bytes: file.bytes.length,
        sha256: sha256Of(file.bytes),
      })),
    })
  else
    for (const file of files)
      console.log(`wrote ${file.path} (${file.bytes.length} bytes, checked against the receipt)`)
  return 0
}

async function writeWhole(path: string, bytes: Uint8Array) {
  const temporary = `${path}.${process.pid}.partial`
  try {
    await writeFile(temporary, bytes, { mode: 0o600 })
    await rename(temporary, path)
  } catch (error) {
    throw new BoccError(`cannot write ${path}`, { cause: error })
  }
}
