import type { Command } from 'commander'
import { connectLease } from '../../client/leases/connectLease.ts'
import { startLeaseProxy } from '../../client/leases/startLeaseProxy.ts'
import { addExamples, addNetworkOptions, clientFrom, type NetworkFlags } from '../networkOptions.ts'
import { parseCount, parseLeaseIdArgument } from '../usage.ts'

export function define(command: Command) {
  command
    .requiredOption('--lease <id>', 'the lease to serve')
    .option('--port <port>', 'the port on 127.0.0.1 (default: any free one)')
    .option(
      '--endpoint <url>',
      'the provider’s lease front (default: BOCC_LEASE_ENDPOINT, or the one the lease’s provider published on-chain)',
    )
  addNetworkOptions(command, { key: true })
  addExamples(
    command,
    'bocc proxy --lease 3 --port 8080   # then: OPENAI_BASE_URL=http://127.0.0.1:8080/v1',
  )
}

/**
 * Serves the lease as plain OpenAI-compatible HTTP on 127.0.0.1 until interrupted: the enclave is
 * verified against the policy before anything is sent, and again whenever its key changes.
 */
export async function run(
  options: NetworkFlags & { lease: string; port?: string; endpoint?: string },
): Promise<number> {
  const leaseId = parseLeaseIdArgument(options.lease)
  const port = options.port === undefined ? undefined : parseCount(options.port, '--port')
  const { client, privateKey } = await clientFrom(options, { account: true })
  const lease = await connectLease({
    client,
    privateKey: privateKey as `0x${string}`,
    leaseId,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  })
  const proxy = await startLeaseProxy(lease, port === undefined ? {} : { port })
  console.log(
    `lease ${leaseId}: OpenAI-compatible API at ${proxy.url}v1 (model ${lease.lease.solutionHash})`,
  )
  console.log('ready')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await proxy.close()
  await lease.usageRecorded()
  return 0
}
