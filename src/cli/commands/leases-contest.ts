import type { Command } from 'commander'
import type { BoccSigner } from '../../chain/boccChain.ts'
import { contestLease } from '../../client/leases/contestLease.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { printFields, printJson } from '../output.ts'
import { parseLeaseIdArgument } from '../usage.ts'

export function define(command: Command) {
  command.argument('<lease-id>', 'the lease id (a decimal number)')
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(command, 'bocc leases contest 3', 'bocc leases contest 3 --json')
}

/**
 * Submits the customer's latest signed usage of the lease (kept in the BOCC home as it chatted)
 * against a settlement that claims more than the enclave signed; the lease's charges are then
 * void. Says in one line why when there is nothing to contest.
 */
export async function run(
  text: string,
  options: NetworkFlags & { json: boolean },
): Promise<number> {
  const leaseId = parseLeaseIdArgument(text)
  const { client } = await clientFrom(options, { account: true })
  const contested = await contestLease(client.chain as BoccSigner, { leaseId })
  const counters = (value: typeof contested.held) =>
    `${value.requests} requests, ${value.tokensIn} tokens in, ${value.tokensOut} out`
  if (options.json)
    printJson({
      leaseId: leaseId.toString(),
      contested: true,
      enclave: contested.enclave,
      held: {
        tokensIn: String(contested.held.tokensIn),
        tokensOut: String(contested.held.tokensOut),
        requests: String(contested.held.requests),
      },
      settled: {
        tokensIn: String(contested.settled.tokensIn),
        tokensOut: String(contested.settled.tokensOut),
        requests: String(contested.settled.requests),
      },
      transaction: contested.transaction,
    })
  else
    printFields([
      ['lease', `${leaseId}: over-claim proven, every charge is void (refunded at finalisation)`],
      ['enclave', contested.enclave],
      ['settled', counters(contested.settled)],
      ['you hold', counters(contested.held)],
      ['transaction', contested.transaction],
    ])
  return 0
}
