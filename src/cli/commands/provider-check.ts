import type { Command } from 'commander'
import { checkProviderSetup } from '../../provider/checkProviderSetup.ts'
import { addExamples, addJsonOption } from '../networkOptions.ts'
import { printJson } from '../output.ts'

export function define(command: Command) {
  command.requiredOption('--config <file>', 'the provider configuration (docs/operations.md)')
  addJsonOption(command)
  addExamples(command, 'bocc provider check --config provider.json')
}

/** `bocc provider check`: one line per check (✔ passed, ✘ failed); exit 1 if any failed. */
export async function run(options: { config: string; json: boolean }): Promise<number> {
  const checks = await checkProviderSetup(options.config)
  const ok = checks.every((check) => check.ok)
  if (options.json) printJson({ ok, checks })
  else {
    for (const check of checks)
      console.log(`${check.ok ? '✔' : '✘'} ${check.name}: ${check.detail}`)
    console.log(ok ? 'the provider is ready to start' : 'the provider cannot start as configured')
  }
  return ok ? 0 : 1
}
