import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { EnclaveUnreachableError } from './enclaveErrors.ts'
import { connectEnclaveHost, spawnEnclaveHost } from './enclaveHostClient.ts'

/**
 * Every fault of the connection to an enclave host (nothing listening yet, a socket nobody
 * serves, a host that resets or closes the connection mid-call) is one typed error the caller
 * handles, never an error event that kills the process; and the host, for its part, survives a
 * daemon that dies mid-call. A process that did crash would fail this file.
 */
describe('connections to an enclave host', () => {
  let directory: string
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bocc-host-'))
  })
  after(() => rm(directory, { recursive: true, force: true }))

  const listen = (path: string, onLine: (socket: Socket) => void) =>
    new Promise<Server>((resolve) => {
      const server = createServer((socket) => socket.once('data', () => onLine(socket)))
      server.listen(path, () => resolve(server))
    })

  it('refuses a socket nobody serves with EnclaveUnreachableError', async () => {
    // What a host killed with SIGKILL leaves: a path that exists, where nobody listens.
    const stale = join(directory, 'stale.sock')
    await writeFile(stale, '')
    await assert.rejects(connectEnclaveHost(stale, { retryForMs: 200 }), (error: Error) => {
      assert.ok(error instanceof EnclaveUnreachableError)
      assert.match(error.message, /^the enclave host is unreachable: connect ECONNREFUSED/)
      return true
    })
    await assert.rejects(connectEnclaveHost(join(directory, 'none.sock'), { retryForMs: 0 }), {
      name: 'EnclaveUnreachableError',
    })
  })

  it('waits, with backoff, for a host that starts listening late', async () => {
    const path = join(directory, 'late.sock')
    let server: Server | undefined
    const listening = new Promise<void>((resolve) =>
      setTimeout(async () => {
        server = await listen(path, (socket) =>
          socket.write(`${JSON.stringify({ id: 1, result: { pid: 1 } })}\n`),
        )
        resolve()
      }, 300),
    )
    const connection = await connectEnclaveHost(path, { retryForMs: 10_000 })
    assert.deepEqual(await connection.request('hostInfo' as never, {} as never), { pid: 1 })
    connection.disconnect()
    await listening
    server?.close()
  })

  it('fails the waiting and later calls of a connection the host drops mid-call', async () => {
    const path = join(directory, 'drop.sock')
    const server = await listen(path, (socket) => socket.destroy())
    const connection = await connectEnclaveHost(path)
    await assert.rejects(connection.request('identity', {}), {
      name: 'EnclaveUnreachableError',
      message: 'the enclave host closed the connection',
    })
    assert.equal(connection.isClosed(), true)
    await connection.closed
    await assert.rejects(connection.request('identity', {}), { name: 'EnclaveUnreachableError' })
    server.close()
  })

  it('keeps a host serving after a daemon resets its connection mid-call', async () => {
    const socketPath = join(directory, 'host', '1.sock')
    const host = await spawnEnclaveHost({ tee: 'sim', socketPath, orphanSeconds: 60 })
    try {
      // A daemon killed with an answer unread: closing a Unix socket with data still queued
      // resets the host's side of it (ECONNRESET), as a SIGKILL of the daemon does.
      const dying = connect(socketPath)
      dying.on('error', () => {})
      dying.pause()
      dying.write(`${JSON.stringify({ id: 1, method: 'identity', params: {} })}\n`)
      await new Promise((resolve) => setTimeout(resolve, 300))
      dying.destroy()
      await new Promise((resolve) => setTimeout(resolve, 300))
      const next = await connectEnclaveHost(socketPath)
      const { signer } = await next.request('identity', {})
      assert.equal(signer, host.identity.signer)
      await next.stopHost()
    } finally {
      host.terminate()
    }
  })
})
