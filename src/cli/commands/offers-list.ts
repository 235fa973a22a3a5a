import { type Command, Option } from 'commander'
import type { BoccClient } from '../../client/createBoccClient.ts'
import type { OfferKind, OfferListing } from '../../client/listOffers.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { printJson } from '../output.ts'

export function define(command: Command) {
  command.addOption(
    new Option('--kind <kind>', 'only offers of this kind').choices(['tee', 'solution', 'data']),
  )
  addNetworkOptions(command)
  addJsonOption(command)
  addExamples(command, 'bocc offers list', 'bocc offers list --kind solution --json')
}

export async function run(
  options: NetworkFlags & { kind?: OfferKind; json: boolean },
): Promise<number> {
  const { client } = await clientFrom(options)
  const offers = await client.listOffers(options.kind ? { kind: options.kind } : {})
  if (options.json) {
    printJson({ offers: offers.map(offerJson) })
    return 0
  }
  if (offers.length === 0) console.log('no offers')
  for (const offer of offers) console.log(await offerLine(client, offer))
  return 0
}

/** An offer as `--json` prints it (docs/cli.md, "Offers"). */
export function offerJson(offer: OfferListing) {
  return { ...offer, price: offer.price.toString() }
}

/** One line per offer: kind, id, price, and what it sells. */
export async function offerLine(client: BoccClient, offer: OfferListing): Promise<string> {
  const price = await client.formatAmount(offer.price)
  const state = offer.active ? '' : ' (inactive)'
  const head = `${offer.kind.padEnd(8)} ${String(offer.id).padStart(3)}  ${price.padEnd(14)}`
  if (offer.kind === 'tee')
    return `${head} ${offer.hardware} machine of ${offer.owner}, ${offer.activeOrders}/${offer.capacity} busy${state}`
  if (offer.kind === 'solution')
    return `${head} ${offer.name ?? 'unnamed solution'} ${offer.solutionHash}${offer.nameSource ? ` (name: ${offer.nameSource})` : ''}${state}`
  return `${head} data set ${offer.dataHash} of ${offer.owner}${state}`
}
