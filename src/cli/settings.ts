import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { boccHome } from '../client/boccHome.ts'
import { BoccError } from '../errors.ts'

/**
 * Where a command finds its defaults, strongest first (each setting on its own):
 *
 * 1. the command's flags (`--deployment`, `--rpc`, `--key`, `--blobs`);
 * 2. the environment (`BOCC_DEPLOYMENT`, `BOCC_RPC_URL`, `BOCC_KEY_FILE`, `BOCC_BLOB_STORE`);
 * 3. the config file given by `--config FILE` or `BOCC_CONFIG`;
 * 4. the workspace's `.bocc/config.json`, in the working directory or the nearest parent that
 *    has one (`bocc dev` writes it there);
 * 5. the user's `config.json` in the BOCC home (`BOCC_HOME`, else `$XDG_CONFIG_HOME/bocc`, else
 *    `~/.config/bocc`).
 *
 * Paths inside a config file are relative to that file.
 */
export type Settings = {
  deployment?: Setting
  rpc?: Setting
  key?: Setting
  blobs?: Setting
}

/** A setting's value and where it came from (for messages that say why a file was used). */
export type Setting = { value: string; source: string }

/** The flags every network command takes; a flag given wins over everything else. */
export type SettingFlags = {
  deployment?: string
  rpc?: string
  key?: string
  blobs?: string
  config?: string
}

/** A config file's content: every key optional. */
export type ConfigFile = {
  deployment?: string
  rpc?: string
  key?: string
  blobs?: string
  /** Set by `bocc dev` on the workspace config it writes, so it may replace it on a restart. */
  writtenBy?: string
}

export class ConfigFileError extends BoccError {
  override name = 'ConfigFileError'
}

const names = ['deployment', 'rpc', 'key', 'blobs'] as const
const environment = {
  deployment: 'BOCC_DEPLOYMENT',
  rpc: 'BOCC_RPC_URL',
  key: 'BOCC_KEY_FILE',
  blobs: 'BOCC_BLOB_STORE',
} as const
/** Settings that name files (resolved against their config file); the others are URLs. */
const pathSettings = new Set(['deployment', 'key'])

/** The workspace config file (`.bocc/config.json`) `bocc dev` writes in `directory`. */
export function workspaceConfigPath(directory = process.cwd()): string {
  return join(resolve(directory), '.bocc', 'config.json')
}

/** The nearest workspace config from `directory` upwards, if any. */
export function findWorkspaceConfig(directory = process.cwd()): string | undefined {
  let current = resolve(directory)
  for (;;) {
    const candidate = workspaceConfigPath(current)
    if (existsSync(candidate)) return candidate
    const parent = dirname(current)
    if (parent === current) return undefined
    current = parent
  }
}

/** Every setting, resolved through flags, environment and config files, strongest first. */
export async function resolveSettings(flags: SettingFlags): Promise<Settings> {
  const layers: { source: string; values: Partial<Record<string, string>> }[] = [
    { source: 'flag', values: { ...flags } },
    {
      source: 'environment',
      values: Object.fromEntries(names.map((name) => [name, process.env[environment[name]]])),
    },
  ]
  const explicit = flags.config ?? process.env.BOCC_CONFIG
  if (explicit) layers.push(await configLayer(resolve(explicit), true))
  const workspace = findWorkspaceConfig()
  if (workspace) layers.push(await configLayer(workspace, false))
  const user = join(boccHome(), 'config.json')
  if (existsSync(user)) layers.push(await configLayer(user, false))

  const settings: Settings = {}
  for (const name of names)
    for (const layer of layers) {
      const value = layer.values[name]
      if (value === undefined || value === '') continue
      settings[name] = { value, source: layer.source === 'flag' ? `--${name}` : layer.source }
      break
    }
  return settings
}

async function configLayer(path: string, required: boolean) {
  const config = await readConfigFile(path, required)
  const values: Partial<Record<string, string>> = {}
  for (const name of names) {
    const value = config[name]
    if (value === undefined) continue
    values[name] =
      pathSettings.has(name) && !isAbsolute(value) ? resolve(dirname(path), value) : value
  }
  return { source: path, values }
}

/** Reads and checks a config file; a missing optional one is empty. */
export async function readConfigFile(path: string, required = true): Promise<ConfigFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    if (!required) return {}
    throw new ConfigFileError(`cannot read the config file ${path}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ConfigFileError(`the config file ${path} is not JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigFileError(`the config file ${path} is not a JSON object`)
  const config = value as Record<string, unknown>
  const known = [...names, 'writtenBy']
  const unknown = Object.keys(config).filter((key) => !known.includes(key))
  if (unknown.length > 0)
    throw new ConfigFileError(
      `the config file ${path} has unknown keys: ${unknown.join(', ')} (known: ${names.join(', ')})`,
    )
  for (const key of known)
    if (config[key] !== undefined && typeof config[key] !== 'string')
      throw new ConfigFileError(`the config file ${path}: ${key} must be a string`)
  return config as ConfigFile
}
