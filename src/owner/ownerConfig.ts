import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { BoccError } from '../errors.ts'

/**
 * The owner agent's config file (`bocc owner serve --config FILE`), JSON, every key optional:
 * `deployment` and `key` (paths), `rpc` and `blobs` (URLs), as for every command; `policy`, the
 * vendor's attestation policy file for releasing keys (used where a key was stored without one);
 * `host` and `port`, where releases are served (127.0.0.1 and any free port by default). Paths are
 * relative to the file.
 */
export type OwnerConfig = {
  deployment?: string
  key?: string
  rpc?: string
  blobs?: string
  policy?: string
  host?: string
  port?: number
}

export class OwnerConfigError extends BoccError {
  override name = 'OwnerConfigError'
}

const keys = ['deployment', 'key', 'rpc', 'blobs', 'policy', 'host', 'port'] as const

export async function readOwnerConfig(path: string): Promise<OwnerConfig> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new OwnerConfigError(
      (error as NodeJS.ErrnoException).code
        ? `cannot read the owner config ${path}`
        : `the owner config ${path} is not JSON`,
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OwnerConfigError(`the owner config ${path} is not a JSON object`)
  const config = value as Record<string, unknown>
  const unknown = Object.keys(config).filter((key) => !(keys as readonly string[]).includes(key))
  if (unknown.length > 0)
    throw new OwnerConfigError(
      `the owner config ${path} has unknown keys: ${unknown.join(', ')} (known: ${keys.join(', ')})`,
    )
  for (const key of keys.filter((name) => name !== 'port'))
    if (config[key] !== undefined && typeof config[key] !== 'string')
      throw new OwnerConfigError(`the owner config ${path}: ${key} must be a string`)
  if (
    config.port !== undefined &&
    (!Number.isInteger(config.port) ||
      (config.port as number) < 0 ||
      (config.port as number) > 65535)
  )
    throw new OwnerConfigError(`the owner config ${path}: port must be a port number`)
  const relativeTo = (file: string | undefined) =>
    file === undefined || isAbsolute(file) ? file : resolve(dirname(path), file)
  const result = { ...(config as OwnerConfig) }
  for (const key of ['deployment', 'key', 'policy'] as const) {
    const resolved = relativeTo(result[key])
    if (resolved !== undefined) result[key] = resolved
  }
  return result
}
