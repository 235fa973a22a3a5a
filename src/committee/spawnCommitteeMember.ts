import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hex } from 'viem'
import { type Service, spawnService } from '../processes/spawnService.ts'

const committeeEntry = join(dirname(fileURLToPath(import.meta.url)), 'main.ts')

/** Starts a committee member's verifier service as its own process; resolves with its URL. */
export async function spawnCommitteeMember(parameters: {
  /** The deployment file of the network the member serves. */
  deploymentFile: string
  privateKey: Hex
  allowSim: boolean
  signal?: AbortSignal
}): Promise<Service & { url: string }> {
  let url = ''
  const service = await spawnService<{ event: string; url?: string }>({
    name: 'committee',
    entry: committeeEntry,
    args: [
      '--deployment',
      parameters.deploymentFile,
      ...(parameters.allowSim ? ['--allow-sim'] : []),
    ],
    env: { BOCC_COMMITTEE_KEY: parameters.privateKey },
    onEvent(event) {
      if (event.event === 'listening' && event.url) url = event.url
    },
    isReady: (event) => event.event === 'listening',
    ...(parameters.signal ? { signal: parameters.signal } : {}),
  })
  return { ...service, url }
}
