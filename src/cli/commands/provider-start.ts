import { parseArgs } from 'node:util'
import { runProviderDaemon } from '../../provider/runProviderDaemon.ts'
import { UsageError } from '../usage.ts'

export const usage = 'bocc provider start --config FILE'
export const summary =
  'run the provider daemon: stake, offer, enclaves, and serve orders until SIGTERM'

/**
 * `bocc provider start`: the provider daemon, in this process. Configuration from the file and
 * the environment (docs/operations.md, "Running a provider"); the key only from its key file.
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } })
  if (!values.config) throw new UsageError('give --config FILE')
  return runProviderDaemon({ configFile: values.config, prefix: 'bocc' })
}
