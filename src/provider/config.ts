import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BoccError } from '../errors.ts'
import type { LeaseFrontConfig } from './leaseFront.ts'

/**
 * A provider daemon's configuration: a JSON file (docs/operations.md, "Running a provider")
 * whose values environment variables may override. Paths in the file are relative to the file;
 * paths in the environment to the working directory. The key is never in the configuration:
 * only the path of its key file.
 */
export type ProviderConfig = {
  /** The deployment file of the network served (`deployment`, `BOCC_DEPLOYMENT`). */
  deploymentFile: string
  /** An RPC URL to use instead of the deployment's (`rpcUrl`, `BOCC_RPC_URL`). */
  rpcUrl?: string
  /** The provider's key file, mode 0600 (`keyFile`, `BOCC_PROVIDER_KEY_FILE`). */
  keyFile: string
  /** Where the daemon keeps its database and enclave sockets (`stateDirectory`, `BOCC_PROVIDER_STATE_DIR`). */
  stateDirectory: string
  /** A blob store (a directory or a URL) instead of the deployment's (`blobs`, `BOCC_BLOBS`). */
  blobStore?: string
  /** The committee's verifier services (`committee`, `BOCC_COMMITTEE_URLS`, comma-separated). */
  committeeUrls: string[]
  /**
   * The owner agents (`bocc owner serve`) asked for the key release of an encrypted solution, for
   * orders and for leases of encrypted chat models (`ownerAgents`); none: such orders end in the
   * enclave's signed failure 4, and such leases are refused (503) before anything is counted.
   */
  ownerAgentUrls: string[]
  /** The TEE backend of the enclave runtime (`auto`: the one configfs-tsm reports). */
  tee: string
  /** The TEE offer: price per order (token's smallest unit) and orders run at once. */
  offer: { price: bigint; capacity: number }
  /** Stake to hold; the market's minimum when absent. */
  stake?: bigint
  /** Blocks an `OrderCreated` must be under before the daemon acts on it. */
  confirmations: number
  enclave: {
    /** How long each enclave registration is valid. */
    validitySeconds: number
    /** A new enclave is registered when the current one expires sooner than this. */
    renewBeforeSeconds: number
    /** An enclave host left without a daemon this long stops its runtime. */
    orphanSeconds: number
    /**
     * The command that gets the confidential GPU's evidence for a nonce (docs/operations.md,
     * "Confidential GPUs"); absent on a machine without one.
     */
    gpuCollector?: string
  }
  /** No receipt is sent later than this before its order's deadline (the order is handed back). */
  receiptMarginSeconds: number
  withdrawIntervalSeconds: number
  /** On SIGTERM, how long running jobs may take before their orders are handed back. */
  shutdownGraceSeconds: number
  /** How often the daemon looks for a new block. */
  pollIntervalMs: number
  /** The health and metrics endpoint; undefined: none (`metrics`, `BOCC_PROVIDER_METRICS`: `host:port` or `off`). */
  metrics?: { host: string; port: number }
  /**
   * The lease front (`leases`; `BOCC_PROVIDER_LEASES`: `host:port` or `off`;
   * `BOCC_PROVIDER_LEASE_URL`: its public URL); undefined: the daemon serves no leases.
   */
  leases?: LeaseFrontConfig
}

export class ProviderConfigError extends BoccError {
  override name = 'ProviderConfigError'
  /** Every problem found, one line each. */
  readonly problems: string[]
  constructor(source: string, problems: string[]) {
    super(
      problems.length === 1
        ? `${source}: ${problems[0]}`
        : `${source}: ${problems.length} problems: ${problems.join('; ')}`,
    )
    this.problems = problems
  }
}

const knownKeys = new Set([
  'version',
  'deployment',
  'rpcUrl',
  'keyFile',
  'stateDirectory',
  'blobs',
  'committee',
  'ownerAgents',
  'tee',
  'offer',
  'stake',
  'confirmations',
  'enclave',
  'receiptMarginSeconds',
  'withdrawIntervalSeconds',
  'shutdownGraceSeconds',
  'pollIntervalMs',
  'metrics',
  'leases',
])

const tees = new Set(['sim', 'tdx', 'sev-snp', 'auto'])

/** Reads and checks a configuration file and the environment; lists every problem at once. */
export async function readProviderConfig(
  path: string,
  env: Record<string, string | undefined> = process.env,
): Promise<ProviderConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new ProviderConfigError(path, ['cannot read the configuration file'])
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ProviderConfigError(path, ['not JSON'])
  }
  return parseProviderConfig(value, { source: path, baseDirectory: dirname(resolve(path)), env })
}

/** Checks a configuration's values (the file's JSON and the environment). */
export function parseProviderConfig(
  value: unknown,
  options: {
    source: string
    baseDirectory: string
    env?: Record<string, string | undefined>
  },
): ProviderConfig {
  const env = options.env ?? {}
  const problems: string[] = []
  const file = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    problems.push('the configuration must be a JSON object')
  else if (file.version !== 1) problems.push('version must be 1')
  for (const key of Object.keys(file))
    if (!knownKeys.has(key))
      problems.push(
        /key/i.test(key)
          ? `unknown field "${key}": the key goes in a key file named by keyFile, never in the configuration`
          : `unknown field "${key}"`,
      )

  const fromFile = (name: string) => {
    const text = file[name]
    if (text === undefined) return undefined
    if (typeof text !== 'string' || text === '') {
      problems.push(`${name} must be a path`)
      return undefined
    }
    return resolvePath(options.baseDirectory, text)
  }
  const path = (name: string, variable: string, required: boolean) => {
    const fromEnv = env[variable]
    const resolved = fromEnv ? resolve(fromEnv) : fromFile(name)
    if (resolved === undefined && required && file[name] === undefined)
      problems.push(`${name} is required (or set ${variable})`)
    return resolved
  }
  const deploymentFile = path('deployment', 'BOCC_DEPLOYMENT', true)
  const keyFile = path('keyFile', 'BOCC_PROVIDER_KEY_FILE', true)
  const stateDirectory = path('stateDirectory', 'BOCC_PROVIDER_STATE_DIR', true)
  const blobsValue = env.BOCC_BLOBS ?? file.blobs
  const blobStore =
    typeof blobsValue === 'string' && /^[a-z][a-z0-9+.-]*:\/\//.test(blobsValue)
      ? blobsValue
      : path('blobs', 'BOCC_BLOBS', false)

  const rpcUrl = env.BOCC_RPC_URL ?? file.rpcUrl
  if (rpcUrl !== undefined && (typeof rpcUrl !== 'string' || !/^https?:\/\/\S+$/.test(rpcUrl)))
    problems.push('rpcUrl must be an http(s) URL')

  const committeeUrls = env.BOCC_COMMITTEE_URLS
    ? env.BOCC_COMMITTEE_URLS.split(',').map((url) => url.trim())
    : file.committee
  if (!Array.isArray(committeeUrls) || committeeUrls.length === 0)
    problems.push('committee must list at least one verifier URL (or set BOCC_COMMITTEE_URLS)')
  else
    for (const url of committeeUrls)
      if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))
        problems.push(`committee URL ${JSON.stringify(url)} is not an http(s) URL`)

  const ownerAgentUrls = file.ownerAgents ?? []
  if (!Array.isArray(ownerAgentUrls)) problems.push('ownerAgents must list the owner agents’ URLs')
  else
    for (const url of ownerAgentUrls)
      if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))
        problems.push(`owner agent URL ${JSON.stringify(url)} is not an http(s) URL`)

  const tee = file.tee ?? 'sim'
  if (typeof tee !== 'string' || !tees.has(tee))
    problems.push(`tee must be one of ${[...tees].join(', ')}`)

  const offer = (file.offer ?? {}) as Record<string, unknown>
  if (typeof offer !== 'object' || Array.isArray(offer)) problems.push('offer must be an object')
  const price = amount(offer.price, 'offer.price', problems, true)
  const capacity = integer(offer.capacity ?? 2, 'offer.capacity', problems, 1, 1_000)
  const stake = amount(file.stake, 'stake', problems, false)

  const enclave = (file.enclave ?? {}) as Record<string, unknown>
  const validitySeconds = integer(
    enclave.validitySeconds ?? 7 * 86_400,
    'enclave.validitySeconds',
    problems,
    60,
  )
  const renewBeforeSeconds = integer(
    enclave.renewBeforeSeconds ?? 86_400,
    'enclave.renewBeforeSeconds',
    problems,
    0,
  )
  if (renewBeforeSeconds >= validitySeconds)
    problems.push('enclave.renewBeforeSeconds must be less than enclave.validitySeconds')
  const orphanSeconds = integer(enclave.orphanSeconds ?? 600, 'enclave.orphanSeconds', problems, 1)
  let gpuCollector: string | undefined
  if (enclave.gpuCollector !== undefined) {
    if (typeof enclave.gpuCollector === 'string' && enclave.gpuCollector.length > 0)
      gpuCollector = resolvePath(options.baseDirectory, enclave.gpuCollector)
    else problems.push('enclave.gpuCollector must be the path of the GPU evidence collector')
  }

  const metrics = parseMetrics(env.BOCC_PROVIDER_METRICS ?? file.metrics, problems)
  const leases = parseLeases(file.leases, env, problems)
  const config: ProviderConfig = {
    deploymentFile: deploymentFile ?? '',
    keyFile: keyFile ?? '',
    stateDirectory: stateDirectory ?? '',
    committeeUrls: Array.isArray(committeeUrls) ? (committeeUrls as string[]) : [],
    ownerAgentUrls: Array.isArray(ownerAgentUrls) ? (ownerAgentUrls as string[]) : [],
    tee: String(tee),
    offer: { price: price ?? 0n, capacity },
    confirmations: integer(file.confirmations ?? 0, 'confirmations', problems, 0, 1_000),
    enclave: {
      validitySeconds,
      renewBeforeSeconds,
      orphanSeconds,
      ...(gpuCollector ? { gpuCollector } : {}),
    },
    receiptMarginSeconds: integer(
      file.receiptMarginSeconds ?? 30,
      'receiptMarginSeconds',
      problems,
      1,
    ),
    withdrawIntervalSeconds: integer(
      file.withdrawIntervalSeconds ?? 3_600,
      'withdrawIntervalSeconds',
      problems,
      1,
    ),
    shutdownGraceSeconds: integer(
      file.shutdownGraceSeconds ?? 30,
      'shutdownGraceSeconds',
      problems,
      0,
    ),
    pollIntervalMs: integer(file.pollIntervalMs ?? 250, 'pollIntervalMs', problems, 10, 60_000),
    ...(typeof rpcUrl === 'string' ? { rpcUrl } : {}),
    ...(blobStore ? { blobStore } : {}),
    ...(stake === undefined ? {} : { stake }),
    ...(metrics ? { metrics } : {}),
    ...(leases ? { leases } : {}),
  }
  if (problems.length > 0) throw new ProviderConfigError(options.source, problems)
  return config
}

function resolvePath(baseDirectory: string, text: string): string {
  if (text.startsWith('file:')) return fileURLToPath(text)
  return isAbsolute(text) ? text : resolve(baseDirectory, text)
}

function amount(
  value: unknown,
  name: string,
  problems: string[],
  required: boolean,
): bigint | undefined {
  if (value === undefined) {
    if (required) problems.push(`${name} is required (a whole number of the token's smallest unit)`)
    return undefined
  }
  if (typeof value !== 'string' || !/^\d{1,78}$/.test(value)) {
    problems.push(`${name} must be a whole number written as a string, like "5000000000000000000"`)
    return undefined
  }
  return BigInt(value)
}

function integer(
  value: unknown,
  name: string,
  problems: string[],
  min: number,
  max = 10 ** 9,
): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}`)
    return min
  }
  return value as number
}

function parseMetrics(value: unknown, problems: string[]) {
  const fallback = { host: '127.0.0.1', port: 9464 }
  if (value === undefined) return fallback
  if (value === false || value === 'off') return undefined
  if (typeof value === 'string') {
    const match = /^([^:\s]+):(\d{1,5})$/.exec(value)
    if (match && Number(match[2]) <= 65_535)
      return { host: match[1] as string, port: Number(match[2]) }
    problems.push('BOCC_PROVIDER_METRICS must be host:port or off')
    return undefined
  }
  const record = value as Record<string, unknown>
  const host = record?.host ?? fallback.host
  const port = record?.port ?? fallback.port
  if (typeof host !== 'string' || host === '') problems.push('metrics.host must be a host name')
  if (!Number.isSafeInteger(port) || (port as number) < 0 || (port as number) > 65_535)
    problems.push('metrics.port must be a port number (0: any free port)')
  return { host: String(host), port: Number(port) }
}

/** The default port of the lease front, when `leases` names none. */
export const defaultLeasePort = 8470

function parseLeases(
  value: unknown,
  env: Record<string, string | undefined>,
  problems: string[],
): LeaseFrontConfig | undefined {
  const fromEnv = env.BOCC_PROVIDER_LEASES
  if (fromEnv === 'off' || (value === undefined && fromEnv === undefined)) return undefined
  if (value === false || value === 'off') return undefined
  if (
    value !== undefined &&
    (typeof value !== 'object' || value === null || Array.isArray(value))
  ) {
    problems.push('leases must be an object (host, port, publicUrl, settleIntervalSeconds)')
    return undefined
  }
  const record = (value ?? {}) as Record<string, unknown>
  for (const key of Object.keys(record))
    if (!['host', 'port', 'publicUrl', 'settleIntervalSeconds'].includes(key))
      problems.push(`unknown field "leases.${key}"`)
  let host = record.host ?? '127.0.0.1'
  let port = record.port ?? defaultLeasePort
  if (fromEnv !== undefined) {
    const match = /^([^:\s]+):(\d{1,5})$/.exec(fromEnv)
    if (!match || Number(match[2]) > 65_535) {
      problems.push('BOCC_PROVIDER_LEASES must be host:port or off')
      return undefined
    }
    host = match[1] as string
    port = Number(match[2])
  }
  if (typeof host !== 'string' || host === '') problems.push('leases.host must be a host name')
  if (!Number.isSafeInteger(port) || (port as number) < 0 || (port as number) > 65_535)
    problems.push('leases.port must be a port number (0: any free port)')
  const publicUrl = env.BOCC_PROVIDER_LEASE_URL ?? record.publicUrl
  if (
    publicUrl !== undefined &&
    (typeof publicUrl !== 'string' || !/^https?:\/\/\S+$/.test(publicUrl) || publicUrl.length > 256)
  )
    problems.push('leases.publicUrl must be an http(s) URL of at most 256 characters')
  return {
    host: String(host),
    port: Number(port),
    settleIntervalSeconds: integer(
      record.settleIntervalSeconds ?? 60,
      'leases.settleIntervalSeconds',
      problems,
      1,
      86_400,
    ),
    ...(typeof publicUrl === 'string' ? { publicUrl } : {}),
  }
}
