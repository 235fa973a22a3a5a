import type { Command } from 'commander'
import { openLease } from '../../chain/actions/leases/openLease.ts'
import type { BoccSigner } from '../../chain/boccChain.ts'
import { NoSuitableOfferError } from '../../client/chooseOffers.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { isoTime, printFields, printJson } from '../output.ts'
import { parseCount, parseSolutionHashArgument } from '../usage.ts'

export function define(command: Command) {
  command
    .requiredOption('--solution <hash>', 'the chat model to lease, by solution hash')
    .option('--tee-offer <id>', 'the TEE offer to lease it on (default: the cheapest active one)')
    .option('--hours <n>', 'how long the lease runs', '1')
    .option('--max-tokens <n>', 'the token budget, prompt and generated tokens together', '10000')
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(
    command,
    'bocc leases open --solution 0x5d1e…a2c4 --json',
    'bocc leases open --solution 0x5d1e…a2c4 --hours 4 --max-tokens 200000',
  )
}

type Options = NetworkFlags & {
  solution: string
  teeOffer?: string
  hours: string
  maxTokens: string
  json: boolean
}

/** Escrows a lease's window and token budget, priced by the offers, from the caller's wallet. */
export async function run(options: Options): Promise<number> {
  const solutionHash = parseSolutionHashArgument(options.solution)
  const hours = parseCount(options.hours, '--hours')
  const maxTokens = BigInt(parseCount(options.maxTokens, '--max-tokens'))
  const { client } = await clientFrom(options, { account: true })
  const solution = (await client.listOffers({ kind: 'solution' })).find(
    (offer) => offer.active && offer.solutionHash.toLowerCase() === solutionHash.toLowerCase(),
  )
  if (!solution)
    throw new NoSuitableOfferError(`no active offer sells solution ${options.solution}`)
  const tees = (await client.listOffers({ kind: 'tee' }))
    .filter((offer) => offer.active)
    .filter((offer) => options.teeOffer === undefined || String(offer.id) === options.teeOffer)
    .sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0))
  const tee = tees[0]
  if (!tee)
    throw new NoSuitableOfferError(
      options.teeOffer ? `TEE offer ${options.teeOffer} is not active` : 'no TEE offer is active',
    )
  const opened = await openLease(client.chain as BoccSigner, {
    teeOfferId: tee.id,
    solutionOfferId: solution.id,
    durationSeconds: hours * 3_600,
    maxTokens,
  })
  const result = {
    leaseId: opened.leaseId.toString(),
    solutionHash: solution.solutionHash,
    teeOfferId: tee.id,
    solutionOfferId: solution.id,
    escrow: opened.escrow.toString(),
    endsAt: isoTime(opened.endsAt),
    transaction: opened.transactionHash,
  }
  if (options.json) printJson(result)
  else
    printFields([
      ['lease', result.leaseId],
      ['solution', result.solutionHash],
      ['TEE offer', result.teeOfferId],
      ['escrow', await client.formatAmount(opened.escrow)],
      ['ends at', result.endsAt],
    ])
  return 0
}
