import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * The user's BOCC directory: `BOCC_HOME`, else `$XDG_CONFIG_HOME/bocc`, else `~/.config/bocc`.
 * It holds the user's `config.json`, the result keys of the user's orders (`result-keys/`) and a
 * vendor's content keys (`owner-keys/`).
 */
export function boccHome(): string {
  if (process.env.BOCC_HOME) return resolve(process.env.BOCC_HOME)
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(base, 'bocc')
}
