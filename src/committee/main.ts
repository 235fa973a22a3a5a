// A committee member's verifier service:
//
//   BOCC_COMMITTEE_KEY=0x… node src/committee/main.ts --deployment FILE [--rpc URL] [--port N] [--allow-sim]
//                          [--nvidia-device-root PEM] [--nvidia-rim-root PEM]
//
// GPU evidence and collateral are read from the deployment's blob store. The NVIDIA root flags
// trust stand-in roots in place of NVIDIA's pinned ones: for test networks only.
//
// Prints one JSON line `{ "event": "listening", "url": … }` when it accepts requests.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { type Hex, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connectBoccChain } from '../chain/boccChain.ts'
import { readDeployment } from '../chain/deployment.ts'
import { shortMessageOf } from '../errors.ts'
import { openBlobStore } from '../storage/openBlobStore.ts'
import { type CommitteeServer, startCommitteeServer } from './committeeServer.ts'

function usage(message: string): never {
  process.stderr.write(`committee: ${message}\n`)
  process.exit(2)
}

let server: CommitteeServer | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, async () => {
    await server?.close()
    process.exit(0)
  })

try {
  const { values } = parseArgs({
    options: {
      deployment: { type: 'string' },
      rpc: { type: 'string' },
      port: { type: 'string', default: '0' },
      'allow-sim': { type: 'boolean', default: false },
      'nvidia-device-root': { type: 'string' },
      'nvidia-rim-root': { type: 'string' },
    },
  })
  if (!values.deployment) usage('--deployment is required')
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be a port number')
  const key = process.env.BOCC_COMMITTEE_KEY
  if (!key || !isHex(key) || key.length !== 66)
    usage('set BOCC_COMMITTEE_KEY to the member’s private key (0x + 64 hex digits)')
  const readRoot = async (file: string | undefined) => {
    if (!file) return undefined
    process.stderr.write(
      `committee: trusting the stand-in NVIDIA root ${file} (test networks only)\n`,
    )
    return readFile(file, 'utf8').catch(() => usage(`cannot read ${file}`))
  }
  const [device, rim] = await Promise.all([
    readRoot(values['nvidia-device-root']),
    readRoot(values['nvidia-rim-root']),
  ])
  const deployment = await readDeployment(values.deployment as string)
  server = await startCommitteeServer({
    chain: await connectBoccChain(deployment, values.rpc ? { rpcUrl: values.rpc } : {}),
    ...(deployment.blobStore ? { blobs: openBlobStore(deployment.blobStore) } : {}),
    ...(device || rim
      ? { nvidiaRoots: { ...(device ? { device } : {}), ...(rim ? { rim } : {}) } }
      : {}),
    member: privateKeyToAccount(key as Hex),
    allowSim: values['allow-sim'] ?? false,
    port,
  })
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url })}\n`)
} catch (error) {
  process.stderr.write(`committee: ${shortMessageOf(error)}\n`)
  process.exit(1)
}
