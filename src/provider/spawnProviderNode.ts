import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Address, Hex } from 'viem'
import { BoccError } from '../errors.ts'
import { type Service, spawnService } from '../processes/spawnService.ts'
import type { ProviderEvent } from './providerEvents.ts'

const providerEntry = join(dirname(fileURLToPath(import.meta.url)), 'main.ts')

export type ProviderProcess = Service & { offerId: number; enclave: Address }

/** Starts the provider node as its own process and resolves once its offer is live. */
export async function spawnProviderNode(parameters: {
  /** The deployment file of the network the provider serves. */
  deploymentFile: string
  committeeUrls: string[]
  blobsDirectory: string
  privateKey: Hex
  price: bigint
  onEvent(event: ProviderEvent): void
  signal?: AbortSignal
}): Promise<ProviderProcess> {
  let offerId: number | undefined
  let enclave: Address | undefined
  const service = await spawnService<ProviderEvent>({
    name: 'provider',
    entry: providerEntry,
    args: [
      '--deployment',
      parameters.deploymentFile,
      ...parameters.committeeUrls.flatMap((url) => ['--committee', url]),
      '--blobs',
      parameters.blobsDirectory,
      '--tee',
      'sim',
      '--price',
      parameters.price.toString(),
    ],
    env: { BOCC_PROVIDER_KEY: parameters.privateKey },
    onEvent(event) {
      if (event.event === 'offer-created') offerId = event.offerId
      if (event.event === 'enclave-registered') enclave = event.enclave
      parameters.onEvent(event)
    },
    isReady: (event) => event.event === 'ready',
    graceMs: 10_000,
    ...(parameters.signal ? { signal: parameters.signal } : {}),
  })
  if (offerId === undefined || enclave === undefined)
    throw new BoccError('the provider node reported no offer')
  return { ...service, offerId, enclave }
}
