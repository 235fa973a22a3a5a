// The BOCC blob server as a process of its own:
//
//   node src/storage/main.ts --store URL [--port N] [--host ADDRESS] [--max-body-bytes N]
//
// It serves the blob store at URL (file:///dir, s3://bucket/prefix, or another blob server) on
// 127.0.0.1 unless --host says otherwise, and prints one JSON line `{ "event": "listening",
// "url": … }` when it accepts requests.
import { parseArgs } from 'node:util'
import { shortMessageOf } from '../errors.ts'
import { defaultMaxBodyBytes } from './blobServer.ts'
import { openBlobStore } from './openBlobStore.ts'
import { type RunningServer, startBlobServer } from './startBlobServer.ts'

function usage(message: string): never {
  process.stderr.write(`blob server: ${message}\n`)
  process.exit(2)
}

let server: RunningServer | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, async () => {
    await server?.close()
    process.exit(0)
  })

try {
  const { values } = parseArgs({
    options: {
      store: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'max-body-bytes': { type: 'string', default: String(defaultMaxBodyBytes) },
    },
  })
  if (!values.store) usage('--store is required (file:///dir, s3://bucket/prefix or http(s)://…)')
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be a port number')
  const maxBodyBytes = Number(values['max-body-bytes'])
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0)
    usage('--max-body-bytes must be a whole number of bytes')
  server = await startBlobServer(openBlobStore(values.store), {
    port,
    host: values.host,
    maxBodyBytes,
  })
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: server.url })}\n`)
} catch (error) {
  process.stderr.write(`blob server: ${shortMessageOf(error)}\n`)
  process.exit(1)
}
