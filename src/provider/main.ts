// The provider node process:
//
//   BOCC_PROVIDER_KEY=0x… node src/provider/main.ts --deployment FILE --blobs DIR
//     --committee URL [--committee URL]… [--tee sim] [--price N]
//
// It prints one JSON object per line for each thing it does (public values only).
import { parseArgs } from 'node:util'
import { type Hex, isHex } from 'viem'
import { readDeployment } from '../chain/deployment.ts'
import { shortMessageOf } from '../errors.ts'
import { createFsBlobStore } from '../storage/blobStore.ts'
import { type ProviderNode, startProviderNode } from './providerNode.ts'

function usage(message: string): never {
  process.stderr.write(`provider: ${message}\n`)
  process.exit(2)
}

let node: ProviderNode | undefined
let starting: Promise<ProviderNode> | undefined
let stopping = false
const startup = new AbortController()
async function shutdown(code: number) {
  if (stopping) return
  stopping = true
  // Still starting: abort, which stops the enclave runtime, and wait for that.
  startup.abort()
  await starting?.catch(() => undefined)
  await node?.stop()
  process.exit(code)
}
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))

try {
  const { values } = parseArgs({
    options: {
      deployment: { type: 'string' },
      committee: { type: 'string', multiple: true, default: [] },
      blobs: { type: 'string' },
      tee: { type: 'string', default: 'sim' },
      price: { type: 'string', default: '1000000000000000000' },
    },
  })
  if (!values.deployment) usage('--deployment is required')
  if (!values.committee?.length) usage('give at least one --committee URL')
  if (!values.blobs) usage('--blobs is required')
  if (!/^\d+$/.test(values.price ?? '')) usage('--price must be a whole number')
  const privateKey = process.env.BOCC_PROVIDER_KEY
  if (!privateKey || !isHex(privateKey) || privateKey.length !== 66)
    usage('set BOCC_PROVIDER_KEY to the provider’s private key (0x + 64 hex digits)')
  starting = startProviderNode({
    signal: startup.signal,
    deployment: await readDeployment(values.deployment as string),
    committeeUrls: values.committee ?? [],
    privateKey: privateKey as Hex,
    blobs: createFsBlobStore(values.blobs),
    tee: values.tee ?? 'sim',
    price: BigInt(values.price ?? '0'),
    onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
  })
  node = await starting
} catch (error) {
  if (!stopping) {
    process.stderr.write(`provider: ${shortMessageOf(error)}\n`)
    process.exit(1)
  }
}
