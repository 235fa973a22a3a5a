// The enclave host: a small host-side process that owns one enclave runtime and serves it on a
// Unix socket, so that the runtime (and its keys, which exist nowhere else) outlives a crash or
// an upgrade of the provider daemon, which reconnects on its next start.
//
//   node src/provider/enclaveHost.ts --tee sim --socket PATH --orphan-seconds N [--gpu-collector FILE]
//
// It relays the enclave interface's newline-delimited JSON unchanged (only ciphertext, hashes,
// evidence and signatures cross it), answers a repeated `runOrder` of the same order from the
// job it already ran or is running (so a daemon that restarts mid-job loses nothing), and stops
// its runtime when asked (`stopHost`), on SIGTERM, or when no daemon has been connected for
// `--orphan-seconds`. When the runtime exits, the host exits: its connections close, which tells
// the daemon the enclave is gone. It writes one JSON line to stdout when it is ready (or failed)
// and nothing afterwards, since nobody may be reading.
import { createHash } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { shortMessageOf } from '../errors.ts'
import { type EnclaveMethod, isStreamId } from '../protocol/enclaveInterface.ts'
import { startEnclave } from './enclaveClient.ts'
import { readLines } from './jsonLineChannel.ts'

/** Finished jobs are kept this long for a daemon that comes back for them. */
const keepResultsMs = 3_600_000
const maxKeptResults = 10_000

const { values } = parseArgs({
  options: {
    tee: { type: 'string', default: 'sim' },
    socket: { type: 'string' },
    'orphan-seconds': { type: 'string', default: '600' },
    'gpu-collector': { type: 'string' },
  },
})
const socketPath = values.socket as string
const orphanMs = Number(values['orphan-seconds']) * 1000
let announce: (line: object) => void = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)
process.stdout.on('error', () => {})

// Stopped while the runtime still starts: stop it too (the client sends it SIGTERM), then exit.
const startup = new AbortController()
const stopStarting = () => startup.abort()
process.once('SIGTERM', stopStarting)
process.once('SIGINT', stopStarting)
const gpuCollector = values['gpu-collector']
const enclave = await startEnclave({
  tee: values.tee ?? 'sim',
  ...(gpuCollector ? { args: ['--gpu-collector', gpuCollector] } : {}),
  signal: startup.signal,
}).catch((error: unknown) => {
  announce({ error: shortMessageOf(error) })
  process.exit(1)
})
process.off('SIGTERM', stopStarting)
process.off('SIGINT', stopStarting)
const identity = await enclave.request('identity', {})
const jobs = new Map<string, Promise<unknown>>()
const connections = new Set<Socket>()
let orphanTimer: NodeJS.Timeout | undefined

let stopping = false
/** Stops the runtime first: a daemon that sees the connection close knows the runtime is gone. */
async function stopAll(code: number) {
  if (stopping) return
  stopping = true
  await enclave.stop().catch(() => undefined)
  for (const connection of connections) connection.destroy()
  server.close()
  rmSync(socketPath, { force: true })
  process.exit(code)
}
enclave.process.once('exit', () => void stopAll(1))
// A fault nothing caught stops the runtime and removes the socket, so the daemon sees the host
// gone (and hands its orders back) rather than a socket nobody answers.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, () => void stopAll(1))
process.on('SIGTERM', () => void stopAll(0))
process.on('SIGINT', () => void stopAll(0))
process.on('SIGHUP', () => {})

/** A `runOrder` for an order already run (or running) gets that job's answer. */
function relay(method: EnclaveMethod, params: unknown): Promise<unknown> {
  const request = () => enclave.request(method, params as never) as Promise<unknown>
  if (method !== 'runOrder') return request()
  // The order (its chain, market and terms) names the job: its request and inputs are fixed by
  // the terms' hashes, while the blob ids they travel under change with each connection.
  const { order } = params as { order?: unknown }
  const key = createHash('sha256')
    .update(JSON.stringify(order ?? params))
    .digest('hex')
  const running = jobs.get(key)
  if (running) {
    // The blobs this repeat brought are not needed: the job has its own. Free them at once.
    const { request: requestBlob, inputs } = params as { request?: unknown; inputs?: unknown }
    for (const blob of [requestBlob, ...(Array.isArray(inputs) ? inputs : [])])
      if (typeof blob === 'string') void enclave.request('dropBlob', { blob }).catch(() => {})
    return running
  }
  const job = request()
  jobs.set(key, job)
  if (jobs.size > maxKeptResults) jobs.delete(jobs.keys().next().value as string)
  job.then(
    () => setTimeout(() => jobs.get(key) === job && jobs.delete(key), keepResultsMs).unref(),
    () => jobs.get(key) === job && jobs.delete(key),
  )
  return job
}

/** Relays a stream's events to one connection until its final one, or the connection closes. */
function relayStream(stream: string, connection: Socket): () => void {
  const stop = enclave.listen(stream, {
    event(message, line) {
      if (!connection.destroyed) connection.write(`${line}\n`)
      if (message.final === true) stopAll()
    },
    end: () => {},
  })
  const stopAll = () => {
    stop()
    connection.off('close', stopAll)
  }
  connection.once('close', stopAll)
  return stopAll
}

function watchOrphan() {
  clearTimeout(orphanTimer)
  if (connections.size === 0) orphanTimer = setTimeout(() => void stopAll(0), orphanMs)
}

const server = createServer((connection) => {
  connections.add(connection)
  watchOrphan()
  // A daemon killed mid-call resets its connection: that ends the connection, never the host.
  connection.on('error', () => connection.destroy())
  connection.on('close', () => {
    connections.delete(connection)
    watchOrphan()
  })
  readLines(connection, (line) => {
    let message: { id?: unknown; method?: unknown; params?: unknown }
    try {
      message = JSON.parse(line)
    } catch {
      return
    }
    const { id, method } = message
    const answer = (response: object) => {
      if (!connection.destroyed) connection.write(`${JSON.stringify({ id, ...response })}\n`)
    }
    if (method === 'stopHost') {
      answer({ result: {} })
      void stopAll(0)
      return
    }
    if (method === 'hostInfo') {
      answer({ result: { pid: process.pid, identity } })
      return
    }
    // A lease response's events go to the connection that asked for it, relayed unchanged.
    const stream = (message.params as { stream?: unknown } | undefined)?.stream
    const stopRelaying =
      method === 'leaseRequest' && isStreamId(stream) ? relayStream(stream, connection) : undefined
    relay(method as EnclaveMethod, message.params ?? {}).then(
      (result) => answer({ result }),
      (error: unknown) => {
        stopRelaying?.()
        answer({ error: shortMessageOf(error).replace(/^the enclave refused: /, '') })
      },
    )
  })
})

mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 })
rmSync(socketPath, { force: true })
server.listen(socketPath, () => {
  watchOrphan()
  announce({ ready: true, pid: process.pid, identity })
  announce = () => {}
})
