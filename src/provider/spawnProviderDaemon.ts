import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Address } from 'viem'
import { type Service, spawnService } from '../processes/spawnService.ts'
import type { ProviderEvent } from './providerEvents.ts'

const providerEntry = join(dirname(fileURLToPath(import.meta.url)), 'main.ts')

export type ProviderProcess = Service & {
  offerId: number
  enclave: Address
  metricsUrl?: string
  /** The lease front, when the configuration asks for one. */
  leasesUrl?: string
}

/**
 * Starts the provider daemon (src/provider/main.ts) as its own process with a configuration
 * file, and resolves once it serves its offer. `env` adds to the environment (for example
 * `BOCC_PROVIDER_KEY_FILE`); the key itself is never passed.
 */
export async function spawnProviderDaemon(parameters: {
  configFile: string
  env?: Record<string, string>
  onEvent(event: ProviderEvent): void
  signal?: AbortSignal
  /** How long a graceful stop may take before SIGKILL. */
  graceMs?: number
}): Promise<ProviderProcess> {
  let ready: Extract<ProviderEvent, { event: 'ready' }> | undefined
  const service = await spawnService<ProviderEvent>({
    name: 'provider',
    entry: providerEntry,
    args: ['--config', parameters.configFile],
    ...(parameters.env ? { env: parameters.env } : {}),
    onEvent(event) {
      if (event.event === 'ready') ready = event
      parameters.onEvent(event)
    },
    isReady: (event) => event.event === 'ready',
    graceMs: parameters.graceMs ?? 30_000,
    ...(parameters.signal ? { signal: parameters.signal } : {}),
  })
  const { offerId, enclave, metrics, leases } = ready as Extract<ProviderEvent, { event: 'ready' }>
  return {
    ...service,
    offerId,
    enclave,
    ...(metrics ? { metricsUrl: metrics } : {}),
    ...(leases ? { leasesUrl: leases } : {}),
  }
}
