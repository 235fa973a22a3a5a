import type { Command } from 'commander'
import { readKeyFile } from '../../chain/keyFile.ts'
import { addExamples, addJsonOption } from '../networkOptions.ts'
import { printJson } from '../output.ts'
import { resolveSettings } from '../settings.ts'
import { UsageError } from '../usage.ts'

export function define(command: Command) {
  command
    .option('--key <file>', 'the key file (env BOCC_KEY_FILE)')
    .option('--config <file>', 'a config file with defaults (env BOCC_CONFIG)')
  addJsonOption(command)
  addExamples(command, 'bocc keys show --key me.json')
}

/** Prints the key file's address (never its private key). */
export async function run(options: {
  key?: string
  config?: string
  json: boolean
}): Promise<number> {
  const settings = await resolveSettings(options)
  if (!settings.key) throw new UsageError('give --key FILE (or set BOCC_KEY_FILE)')
  const key = await readKeyFile(settings.key.value)
  if (options.json) printJson({ address: key.address, file: settings.key.value })
  else console.log(`address ${key.address}\nkey file ${settings.key.value}`)
  return 0
}
