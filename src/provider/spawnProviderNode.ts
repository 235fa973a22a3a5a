import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Address, Hex } from 'viem'
import { stopProcess } from '../chain/startLocalChain.ts'
import { BoccError } from '../errors.ts'
import type { ProviderEvent } from './providerNode.ts'

const providerEntry = join(dirname(fileURLToPath(import.meta.url)), 'main.ts')

export type ProviderProcess = {
  process: ChildProcess
  offerId: bigint
  enclave: Address
  stop(): Promise<void>
}

/** Starts the provider node as its own process and resolves once its offer is live. */
export async function spawnProviderNode(parameters: {
  rpcUrl: string
  market: Address
  blobsDirectory: string
  privateKey: Hex
  price: bigint
  onEvent(event: ProviderEvent): void
  /** Aborting stops the process, also while it is still starting. */
  signal?: AbortSignal
}): Promise<ProviderProcess> {
  const child = spawn(
    process.execPath,
    [
      providerEntry,
      '--rpc',
      parameters.rpcUrl,
      '--market',
      parameters.market,
      '--blobs',
      parameters.blobsDirectory,
      '--tee',
      'sim',
      '--price',
      parameters.price.toString(),
    ],
    // The key goes through the environment, not argv, which any local user can read.
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BOCC_PROVIDER_KEY: parameters.privateKey },
    },
  )
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const stop = () => stopProcess(child, 10_000)
  parameters.signal?.addEventListener('abort', () => void stop(), { once: true })
  let offerId: bigint | undefined
  let enclave: Address | undefined
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let event: ProviderEvent
      try {
        event = JSON.parse(line)
      } catch {
        return
      }
      if (event.event === 'offer-created') offerId = BigInt(event.offerId)
      if (event.event === 'enclave-registered') enclave = event.enclave
      parameters.onEvent(event)
      if (event.event === 'ready') resolve()
    })
    child.once('exit', (code) => {
      const reason = stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^provider: /, '')
      reject(
        new BoccError(`the provider node stopped (code ${code})${reason ? `: ${reason}` : ''}`),
      )
    })
  })
  if (offerId === undefined || enclave === undefined)
    throw new BoccError('the provider node reported no offer')
  return { process: child, offerId, enclave, stop: () => stopProcess(child, 10_000) }
}
