// A committee member's verifier service:
//
//   BOCC_COMMITTEE_KEY=0x… node src/committee/main.ts --deployment FILE [--rpc URL] [--port N] [--allow-sim]
//
// Prints one JSON line `{ "event": "listening", "url": … }` when it accepts requests.
import { parseArgs } from 'node:util'
import { type Hex, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { connectBoccChain } from '../chain/boccChain.ts'
import { readDeployment } from '../chain/deployment.ts'
import { shortMessageOf } from '../errors.ts'
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
    },
  })
  if (!values.deployment) usage('--deployment is required')
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be a port number')
  const key = process.env.BOCC_COMMITTEE_KEY
  if (!key || !isHex(key) || key.length !== 66)
    usage('set BOCC_COMMITTEE_KEY to the member’s private key (0x + 64 hex digits)')
  server = await startCommitteeServer({
    chain: await connectBoccChain(
      await readDeployment(values.deployment as string),
      values.rpc ? { rpcUrl: values.rpc } : {},
    ),
    member: privateKeyToAccount(key as Hex),
    allowSim: values['allow-sim'] ?? false,
    port,
  })
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url })}\n`)
} catch (error) {
  process.stderr.write(`committee: ${shortMessageOf(error)}\n`)
  process.exit(1)
}
