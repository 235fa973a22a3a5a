import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sha256 } from 'viem'
import { PortInUseError } from '../chain/startLocalChain.ts'
import { createFsBlobStore } from './fsBlobStore.ts'
import { type RunningServer, startBlobServer } from './startBlobServer.ts'

/** Sends a PUT whose body is written by `send`; resolves to the answer's status and body. */
function put(
  url: string,
  headers: Record<string, string>,
  send: (
    write: (bytes: Uint8Array) => boolean,
    answered: () => boolean,
    end: () => void,
  ) => Promise<void>,
) {
  return new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
    let sent = 0
    let answered = false
    const outgoing = request(url, { method: 'PUT', headers }, (response) => {
      answered = true
      let body = ''
      response.on('data', (data) => {
        body += data
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, sent }))
      response.on('error', reject)
    })
    // The server closes a connection whose body it refused: writes after that may fail.
    outgoing.on('error', (error) => (answered ? undefined : reject(error)))
    send(
      (bytes) => {
        sent += bytes.length
        return outgoing.write(bytes)
      },
      () => answered,
      () => outgoing.end(),
    ).catch(reject)
  })
}

describe('blob server over node:http', () => {
  let directory: string
  let server: RunningServer
  const maxBodyBytes = 1 << 20
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-blob-server-'))
    server = await startBlobServer(createFsBlobStore(directory), { maxBodyBytes })
  })
  after(async () => {
    await server?.close()
    await rm(directory, { recursive: true, force: true })
  })
  const address = sha256(new Uint8Array([1]))
  const urlOf = () => `${server.url}blobs/${address.slice(2)}`

  it('listens on 127.0.0.1 only by default', async () => {
    assert.deepEqual(server.server.address(), {
      address: '127.0.0.1',
      family: 'IPv4',
      port: Number(new URL(server.url).port),
    })
    // Another loopback address of this machine is not served.
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(server.url).port), '127.0.0.2')
      socket.on('connect', () => {
        socket.destroy()
        resolve('connected')
      })
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    })
    assert.equal(refused, 'ECONNREFUSED')
  })

  // Were the body awaited, no answer would come: the timeout turns that into a failure.
  it('refuses a body declared too large before reading it', { timeout: 20_000 }, async () => {
    // Only the first bytes of the announced body are ever sent: an answer proves it was not awaited.
    const answer = await put(
      urlOf(),
      { 'content-length': String(maxBodyBytes + 1) },
      async (write) => {
        write(new Uint8Array(10))
      },
    )
    assert.equal(answer.status, 413)
    assert.match(answer.body, /^\{"error":"the blob is larger than the 1048576 bytes/)
  })

  it('stops a body of no declared length once it passes the limit', async () => {
    const answer = await put(
      urlOf(),
      { 'transfer-encoding': 'chunked' },
      async (write, answered) => {
        const piece = new Uint8Array(64 * 1024)
        for (let i = 0; i < 1024 && !answered(); i++)
          if (!write(piece)) await new Promise((resolve) => setTimeout(resolve, 5))
      },
    )
    assert.equal(answer.status, 413)
    assert.ok(answer.sent < 64 * 1024 * 1024, `sent ${answer.sent} bytes`)
  })

  it('says so in one line when its port is taken', async () => {
    await assert.rejects(
      startBlobServer(createFsBlobStore(directory), { port: Number(new URL(server.url).port) }),
      PortInUseError,
    )
  })
})
