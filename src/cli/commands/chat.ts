import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { connectLease } from '../../client/leases/connectLease.ts'
import { addExamples, addNetworkOptions, clientFrom, type NetworkFlags } from '../networkOptions.ts'
import { parseCount, parseLeaseIdArgument } from '../usage.ts'

export function define(command: Command) {
  command
    .requiredOption('--lease <id>', 'the lease to chat on')
    .option('--max-tokens <n>', 'the most tokens per answer', '128')
    .option(
      '--endpoint <url>',
      'the provider’s lease front (default: BOCC_LEASE_ENDPOINT, or the one the lease’s provider published on-chain)',
    )
  addNetworkOptions(command, { key: true })
  addExamples(command, 'bocc chat --lease 3')
}

/** An interactive chat on a lease in the terminal: each line sent sealed, each answer streamed. */
export async function run(
  options: NetworkFlags & { lease: string; maxTokens: string; endpoint?: string },
): Promise<number> {
  const leaseId = parseLeaseIdArgument(options.lease)
  const maxTokens = parseCount(options.maxTokens, '--max-tokens')
  const { client, privateKey } = await clientFrom(options, { account: true })
  const lease = await connectLease({
    client,
    privateKey: privateKey as `0x${string}`,
    leaseId,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  })
  const terminal = createInterface({ input: process.stdin, output: process.stdout })
  const history: { role: 'user' | 'assistant'; content: string }[] = []
  console.log(`lease ${leaseId}, model ${lease.lease.solutionHash}; an empty line or Ctrl-D ends`)
  for (;;) {
    const line = await terminal.question('you> ').catch(() => '')
    if (!line.trim()) break
    history.push({ role: 'user', content: line })
    process.stdout.write('model> ')
    let answer = ''
    for await (const event of lease.send({ messages: history, max_tokens: maxTokens })) {
      if (event.type === 'text') {
        answer += event.text
        process.stdout.write(event.text)
      } else if (event.type === 'error') process.stdout.write(`\n(refused: ${event.message})`)
    }
    process.stdout.write('\n')
    history.push({ role: 'assistant', content: answer })
  }
  terminal.close()
  await lease.usageRecorded()
  return 0
}
