import type { Command } from 'commander'
import { closeLease } from '../../chain/actions/leases/closeLease.ts'
import { finalizeLease } from '../../chain/actions/leases/finalizeLease.ts'
import { getLeaseBalance } from '../../chain/actions/leases/getLeaseBalance.ts'
import { getLeaseFinalizableAt } from '../../chain/actions/leases/getLeaseFinalizableAt.ts'
import { withdrawLeaseBalance } from '../../chain/actions/leases/withdrawLeaseBalance.ts'
import type { BoccSigner } from '../../chain/boccChain.ts'
import { getCustomerLease } from '../../client/leases/getCustomerLease.ts'
import {
  addExamples,
  addJsonOption,
  addNetworkOptions,
  clientFrom,
  type NetworkFlags,
} from '../networkOptions.ts'
import { isoTime, printFields, printJson } from '../output.ts'
import { parseLeaseIdArgument } from '../usage.ts'

export function define(command: Command) {
  command.argument('<lease-id>', 'the lease id (a decimal number)')
  addNetworkOptions(command, { key: true })
  addJsonOption(command)
  addExamples(command, 'bocc leases close 3', 'bocc leases close 3 --json')
}

/**
 * Ends the caller's lease now; once its settlement window is over (run it again then), finalises
 * it and withdraws the refund to the wallet.
 */
export async function run(
  text: string,
  options: NetworkFlags & { json: boolean },
): Promise<number> {
  const leaseId = parseLeaseIdArgument(text)
  const { client } = await clientFrom(options, { account: true })
  const chain = client.chain as BoccSigner
  const lease = await getCustomerLease(chain, { leaseId, customer: chain.account.address })
  const now = Number((await chain.publicClient.getBlock()).timestamp)
  let closed = false
  if (!lease.finalized && lease.closedAt === 0 && lease.endsAt > now) {
    await closeLease(chain, { leaseId })
    closed = true
  }
  const finalizableAt = await getLeaseFinalizableAt(chain, { leaseId })
  const latest = Number((await chain.publicClient.getBlock()).timestamp)
  let refund: bigint | undefined
  if (!lease.finalized && finalizableAt !== 0 && finalizableAt <= latest)
    refund = (await finalizeLease(chain, { leaseId })).refund
  let withdrawn = 0n
  const balance = await getLeaseBalance(chain, { account: chain.account.address })
  if (balance > 0n) {
    await withdrawLeaseBalance(chain)
    withdrawn = balance
  }
  const json = {
    leaseId: leaseId.toString(),
    closed,
    finalized: lease.finalized || refund !== undefined,
    refund: refund?.toString() ?? null,
    withdrawn: withdrawn.toString(),
    finalizableAt: finalizableAt === 0 ? null : isoTime(finalizableAt),
  }
  if (options.json) printJson(json)
  else
    printFields([
      ['lease', json.leaseId],
      ['closed now', closed ? 'yes' : 'no (it had ended)'],
      [
        'refund',
        refund === undefined
          ? `after the settlement window: run this again after ${json.finalizableAt}`
          : await client.formatAmount(refund),
      ],
      ['withdrawn', await client.formatAmount(withdrawn)],
    ])
  return 0
}
