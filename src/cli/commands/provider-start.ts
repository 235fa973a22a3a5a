import type { Command } from 'commander'
import { runProviderDaemon } from '../../provider/runProviderDaemon.ts'
import { addExamples } from '../networkOptions.ts'

export function define(command: Command) {
  command.requiredOption('--config <file>', 'the provider configuration (docs/operations.md)')
  addExamples(command, 'bocc provider start --config provider.json')
}

/**
 * `bocc provider start`: the provider daemon, in this process. Configuration from the file and
 * the environment (docs/operations.md, "Running a provider"); the key only from its key file.
 */
export async function run(options: { config: string }): Promise<number> {
  return runProviderDaemon({ configFile: options.config, prefix: 'bocc' })
}
