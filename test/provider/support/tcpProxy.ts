import type { AddressInfo } from 'node:net'
import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy on 127.0.0.1 in front of a local port, which a test can take down (every
 * connection cut, new ones refused) and bring back on the same port: an RPC that drops.
 */
export async function startTcpProxy(targetPort: number) {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = createServer((client) => {
        const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on('error', () => {})
          socket.on('close', () => {
            sockets.delete(socket)
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream)
        upstream.pipe(client)
      })
      server = created
      created.once('error', reject)
      created.listen(port, '127.0.0.1', () => {
        port = (created.address() as AddressInfo).port
        resolve()
      })
    })
  await listen()
  const down = async () => {
    const closing = new Promise<void>((resolve) => server?.close(() => resolve()))
    for (const socket of sockets) socket.destroy()
    await closing
  }
  return {
    url: `http://127.0.0.1:${port}`,
    down,
    up: listen,
    close: down,
  }
}
