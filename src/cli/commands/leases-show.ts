import type { Command } from 'commander'
import { getLease } from '../../chain/actions/leases/getLease.ts'
import { getLeaseFinalizableAt } from '../../chain/actions/leases/getLeaseFinalizableAt.ts'
import { LeaseNotFoundError } from '../../client/leases/getCustomerLease.ts'
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
  addNetworkOptions(command)
  addJsonOption(command)
  addExamples(command, 'bocc leases show 3 --json')
}

/** A lease's terms, its settled usage and where it stands. */
export async function run(
  text: string,
  options: NetworkFlags & { json: boolean },
): Promise<number> {
  const leaseId = parseLeaseIdArgument(text)
  const { client } = await clientFrom(options)
  const lease = await getLease(client.chain, { leaseId })
  if (!lease) throw new LeaseNotFoundError(leaseId)
  const finalizableAt = await getLeaseFinalizableAt(client.chain, { leaseId })
  const now = Date.now() / 1000
  const endedAt = lease.closedAt !== 0 ? lease.closedAt : lease.endsAt
  const status = lease.finalized
    ? 'finalized'
    : lease.overClaimed
      ? 'over-claim proven'
      : endedAt > now
        ? 'running'
        : 'ended'
  const json = {
    leaseId: leaseId.toString(),
    status,
    customer: lease.customer,
    provider: lease.provider,
    solutionHash: lease.solutionHash,
    teeOfferId: lease.teeOfferId,
    solutionOfferId: lease.solutionOfferId,
    startsAt: isoTime(lease.startsAt),
    endsAt: isoTime(lease.endsAt),
    closedAt: lease.closedAt === 0 ? null : isoTime(lease.closedAt),
    maxTokens: lease.maxTokens.toString(),
    tokensClaimed: lease.tokensClaimed.toString(),
    escrow: lease.escrow.toString(),
    finalizableAt: finalizableAt === 0 ? null : isoTime(finalizableAt),
  }
  if (options.json) printJson(json)
  else
    printFields([
      ['lease', json.leaseId],
      ['status', json.status],
      ['customer', json.customer],
      ['provider', json.provider],
      ['solution', json.solutionHash],
      ['window', `${json.startsAt} to ${json.closedAt ?? json.endsAt}`],
      ['tokens', `${json.tokensClaimed} settled of ${json.maxTokens}`],
      ['escrow', await client.formatAmount(lease.escrow)],
      ['finalizable at', json.finalizableAt],
    ])
  return 0
}
