import type { Command } from 'commander'
import { writeKeyFile } from '../../chain/keyFile.ts'
import { addExamples, addJsonOption } from '../networkOptions.ts'
import { printJson } from '../output.ts'

export function define(command: Command) {
  command.requiredOption('--out <file>', 'where to write the key file (refuses to overwrite)')
  addJsonOption(command)
  addExamples(command, 'bocc keys create --out ~/.config/bocc/me.json')
}

/** Writes a fresh secp256k1 key with its address, readable by its owner only (mode 0600). */
export async function run(options: { out: string; json: boolean }): Promise<number> {
  const key = await writeKeyFile(options.out)
  if (options.json) printJson({ address: key.address, file: options.out })
  else console.log(`address ${key.address}\nkey file ${options.out} (mode 0600; keep it secret)`)
  return 0
}
