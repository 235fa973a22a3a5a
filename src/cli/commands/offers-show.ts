import { type Command, Option } from 'commander'
import type { OfferKind } from '../../client/listOffers.ts'
import { BoccError } from '../../errors.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { printFields, printJson } from '../output.ts'
import { parseCount, UsageError } from '../usage.ts'
import { offerJson } from './offers-list.ts'

export function define(command: Command) {
  command.argument('<id>', 'the offer id, or KIND:ID (for example solution:1)')
  command.addOption(
    new Option('--kind <kind>', 'the offer’s kind, when ids of several kinds match').choices([
      'tee',
      'solution',
      'data',
    ]),
  )
  addNetworkOptions(command)
  addJsonOption(command)
  addExamples(command, 'bocc offers show solution:1', 'bocc offers show 1 --kind tee --json')
}

export async function run(
  text: string,
  options: NetworkFlags & { kind?: OfferKind; json: boolean },
): Promise<number> {
  const [prefix, number] = text.includes(':') ? text.split(':', 2) : [options.kind, text]
  if (prefix !== undefined && !['tee', 'solution', 'data'].includes(prefix))
    throw new UsageError(`${prefix} is not an offer kind (tee, solution or data)`)
  const id = parseCount(number ?? '', 'the offer id')
  const { client } = await clientFrom(options)
  const matches = (await client.listOffers(prefix ? { kind: prefix as OfferKind } : {})).filter(
    (offer) => offer.id === id,
  )
  if (matches.length === 0)
    throw new BoccError(`there is no ${prefix ? `${prefix} ` : ''}offer ${id}`)
  if (matches.length > 1)
    throw new UsageError(
      `${matches.map((offer) => `${offer.kind}:${id}`).join(', ')} all exist; give KIND:ID or --kind`,
    )
  const offer = matches[0] as (typeof matches)[number]
  if (options.json) {
    printJson(offerJson(offer))
    return 0
  }
  printFields(
    Object.entries({ ...offer, price: await client.formatAmount(offer.price) }).map(
      ([name, value]) => [name, value === null ? null : String(value)],
    ),
  )
  return 0
}
