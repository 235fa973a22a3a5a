import type { Command } from 'commander'
import type { InputSource } from '../../client/encryptInput.ts'
import { formatOrderId } from '../../protocol/orderTerms.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
  noticeDevelopmentPolicy,
} from '../networkOptions.ts'
import { isoTime, orderJson, printJson } from '../output.ts'
import { createProgress } from '../progress.ts'
import { parseAmountArgument, parseCount, parseSolutionHashArgument, UsageError } from '../usage.ts'

const collect = (value: string, previous: string[] = []) => [...previous, value]

export function define(command: Command) {
  command
    .requiredOption('--solution <hash>', 'the solution to run, by hash (see `bocc offers list`)')
    .requiredOption(
      '--input <[name=]file>',
      'an input file, encrypted here before upload; repeat for several (NAME= names a declared input)',
      collect,
    )
    .option('--arg <value>', 'an argument for the job, sealed to the enclave; repeatable', collect)
    .option('--data <offer-id>', 'a data offer to run on; repeatable', collect)
    .option('--tee-offer <id>', 'use this TEE offer (default: the cheapest your policy accepts)')
    .option('--max-price <amount>', 'the most the order may cost, fee included, in token units')
    .option('--policy <file>', 'your attestation policy (default: the network’s, see docs/cli.md)')
    .option('--allow-sim', 'with the production policy, also accept a simulated TEE')
    .option('--wait', 'wait for the result’s receipt before exiting')
    .option('--timeout <seconds>', 'with --wait, give up after this long', '600')
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(
    command,
    'bocc orders create --solution 0x4661…6d1b --input examples/lab-report.png --wait',
    'bocc orders create --solution 0x4661…6d1b --input image=scan.jpg --max-price 8 --json',
  )
}

type Options = NetworkFlags & {
  solution: string
  input: string[]
  arg?: string[]
  data?: string[]
  teeOffer?: string
  maxPrice?: string
  wait: boolean
  timeout: string
  json: boolean
}

/** Encrypts the inputs here, chooses offers the policy accepts, escrows; with --wait, waits. */
export async function run(options: Options): Promise<number> {
  const solutionHash = parseSolutionHashArgument(options.solution)
  const inputs = options.input.map(inputSource)
  const dataOfferIds = (options.data ?? []).map((id) => parseCount(id, '--data'))
  const teeOfferId =
    options.teeOffer === undefined ? undefined : parseCount(options.teeOffer, '--tee-offer')
  const timeoutSeconds = parseCount(options.timeout, '--timeout')
  const { client } = await clientFrom(options, { account: true })
  const maxPrice =
    options.maxPrice === undefined
      ? undefined
      : parseAmountArgument(options.maxPrice, await client.token(), '--max-price')
  noticeDevelopmentPolicy(client, options)
  const progress = createProgress(options)
  let placed: Awaited<ReturnType<typeof client.createOrder>>
  try {
    placed = await client.createOrder({
      solutionHash,
      inputs,
      ...(options.arg ? { arguments: options.arg } : {}),
      dataOfferIds,
      ...(teeOfferId === undefined ? {} : { teeOfferId }),
      ...(maxPrice === undefined ? {} : { maxPrice }),
      onProgress: progress.listener,
    })
  } finally {
    progress.done()
  }
  const orderId = formatOrderId(placed.orderId)
  if (!options.json) {
    console.log(`order ${orderId}`)
    console.log(
      `escrow ${await client.formatAmount(placed.escrow)} (TEE offer ${placed.terms.teeOfferId}, solution offer ${placed.terms.solutionOfferId})`,
    )
    console.log(
      `accept by ${isoTime(placed.terms.acceptBy)}, deliver by ${isoTime(placed.terms.deadline)}`,
    )
    console.log(`result key kept in ${placed.resultKeyFile}`)
  }
  let order = await client.getOrder({ orderId: placed.orderId })
  if (options.wait) {
    try {
      order = await client.waitForOrder({
        orderId: placed.orderId,
        timeoutMs: timeoutSeconds * 1000,
        onProgress: progress.listener,
      })
    } finally {
      progress.done()
    }
    if (!options.json)
      console.log(
        `completed: output ${order.completion?.outputHash}; get it with \`bocc orders result ${orderId} --out FILE\``,
      )
  } else if (!options.json) console.log(`wait for it with \`bocc orders wait ${orderId}\``)
  if (options.json)
    printJson({
      ...orderJson(order),
      escrow: placed.escrow.toString(),
      transaction: placed.transaction,
      resultKeyFile: placed.resultKeyFile,
      policy: client.policy.source,
    })
  return 0
}

/** `NAME=FILE` or `FILE`. A file whose own name holds `=` can be given as `./a=b.png`. */
function inputSource(text: string): InputSource {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})=(.+)$/.exec(text)
  if (match && !text.startsWith('./') && !text.startsWith('/'))
    return { name: match[1] as string, path: match[2] as string }
  if (text === '') throw new UsageError('--input needs a file')
  return { path: text }
}
