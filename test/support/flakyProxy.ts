import { createConnection, createServer, type Socket } from 'node:net'

export type FlakyProxy = {
  /** `http://127.0.0.1:<port>`, forwarding to the target. */
  url: string
  /**
   * Drops the connection of each of the next `count` requests: as soon as the request arrives, or
   * with `afterResponseBytes`, once that many bytes of the answer went back.
   */
  dropNext(count: number, options?: { afterResponseBytes?: number }): void
  /** Connections dropped so far. */
  readonly dropped: number
  close(): Promise<void>
}

/**
 * A TCP proxy on 127.0.0.1 in front of a local HTTP server that drops connections on demand, as a
 * failing network or a crashing server would: the tests' stand-in for an unreliable link. A
 * request starts with the first bytes a client sends after the previous answer began (clients here
 * do not pipeline), so reused keep-alive connections are dropped too.
 */
export async function startFlakyProxy(targetPort: number): Promise<FlakyProxy> {
  let toDrop = 0
  let afterResponseBytes = 0
  let dropped = 0
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  const server = createServer((client) => {
    const target = createConnection(targetPort, '127.0.0.1')
    track(client)
    track(target)
    let awaitingRequest = true
    let cutAfter: number | undefined
    let answered = 0
    const kill = () => {
      dropped++
      client.resetAndDestroy()
      target.destroy()
    }
    client.on('data', (data: Buffer) => {
      if (awaitingRequest) {
        awaitingRequest = false
        answered = 0
        cutAfter = undefined
        if (toDrop > 0) {
          toDrop--
          cutAfter = afterResponseBytes
        }
      }
      if (cutAfter === 0) return kill()
      target.write(data)
    })
    target.on('data', (data: Buffer) => {
      awaitingRequest = true
      if (cutAfter === undefined) return void client.write(data)
      const room = cutAfter - answered
      answered += data.length
      if (room > 0) client.write(data.subarray(0, room))
      if (answered >= cutAfter) kill()
    })
    client.on('end', () => target.end())
    target.on('end', () => client.end())
    client.on('close', () => target.destroy())
    target.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    dropNext(count, options = {}) {
      toDrop = count
      afterResponseBytes = options.afterResponseBytes ?? 0
    },
    get dropped() {
      return dropped
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
