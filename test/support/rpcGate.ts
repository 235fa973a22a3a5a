import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Hex, parseTransaction, type TransactionSerializable } from 'viem'

export type RpcGate = {
  /** `http://127.0.0.1:<port>`, forwarding JSON-RPC to the target node. */
  url: string
  /**
   * Until the returned function is called, refuses to send on every transaction for which
   * `held` is true: its `eth_sendRawTransaction` gets a JSON-RPC error and never reaches the
   * node, as from a node that dropped it, so the sender sends it again later.
   */
  holdBack(held: (transaction: TransactionSerializable) => boolean): () => void
  /** Transactions refused so far. */
  readonly refused: number
  close(): Promise<void>
}

/** The JSON-RPC error a held transaction gets (a server error in the implementation range). */
const heldBackError = { code: -32003, message: 'transaction held back by the test network' }

type RpcRequest = { id?: unknown; method?: string; params?: unknown[] }

/**
 * An HTTP proxy on 127.0.0.1 in front of a JSON-RPC node that can hold back chosen transactions:
 * the tests' stand-in for a network that loses a sender's transactions for a while, so a test
 * can act on the chain before an honest party's transaction lands, every time.
 */
export async function startRpcGate(targetUrl: string): Promise<RpcGate> {
  const holds = new Set<(transaction: TransactionSerializable) => boolean>()
  let refused = 0
  const isHeld = (request: RpcRequest) => {
    if (request.method !== 'eth_sendRawTransaction' || holds.size === 0) return false
    let transaction: TransactionSerializable
    try {
      transaction = parseTransaction(request.params?.[0] as Hex)
    } catch {
      return false
    }
    return [...holds].some((held) => held(transaction))
  }
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let requests: RpcRequest[] = []
    try {
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[]
      requests = Array.isArray(parsed) ? parsed : [parsed]
    } catch {
      // Not JSON: the node answers it as it would.
    }
    if (requests.some(isHeld)) {
      refused++
      const errors = requests.map((request) => ({
        jsonrpc: '2.0',
        id: request.id ?? null,
        error: heldBackError,
      }))
      outgoing.setHeader('content-type', 'application/json')
      outgoing.end(JSON.stringify(body.trimStart().startsWith('[') ? errors : errors[0]))
      return
    }
    try {
      const answer = await fetch(targetUrl, {
        method: incoming.method ?? 'POST',
        headers: { 'content-type': incoming.headers['content-type'] ?? 'application/json' },
        ...(incoming.method === 'GET' || incoming.method === 'HEAD' ? {} : { body }),
      })
      outgoing.statusCode = answer.status
      outgoing.setHeader('content-type', answer.headers.get('content-type') ?? 'application/json')
      outgoing.end(Buffer.from(await answer.arrayBuffer()))
    } catch {
      // The node is down (a test restarts it): the sender sees a dropped connection, as without a gate.
      outgoing.destroy()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    holdBack(held) {
      holds.add(held)
      return () => void holds.delete(held)
    },
    get refused() {
      return refused
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
