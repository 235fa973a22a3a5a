import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { type Address, decodeAbiParameters, encodeAbiParameters, getAddress, type Hex } from 'viem'
import { BoccError } from '../errors.ts'
import type { SignedLeaseUsage } from '../protocol/leaseUsage.ts'
import { formatOrderId, type OrderTerms, orderTermsParameter } from '../protocol/orderTerms.ts'

/**
 * Where an order is in the daemon's hands. The chain is the authority; this records what the
 * daemon did or must do, so that after a crash every step is taken again or found done.
 *
 * - `queued`: created on-chain (confirmed) for one of our enclaves, not accepted yet
 * - `accepting`: an acceptance may be on its way (the chain says whether it landed)
 * - `accepted`: accepted on-chain, no result yet
 * - `executed`: the enclave's receipt or signed failure is stored here, not yet on-chain
 * - `handingBack`: must be handed back (its enclave is gone, or its deadline too close)
 * - `completed`, `failed`, `handedBack`: ended by the daemon's call
 * - `refused`: never accepted (cannot be served, or too late)
 * - `ended`: ended otherwise (refunded, cancelled), as the chain says
 */
export type OrderState =
  | 'queued'
  | 'accepting'
  | 'accepted'
  | 'executed'
  | 'handingBack'
  | 'completed'
  | 'failed'
  | 'handedBack'
  | 'refused'
  | 'ended'

export const orderStates: readonly OrderState[] = [
  'queued',
  'accepting',
  'accepted',
  'executed',
  'handingBack',
  'completed',
  'failed',
  'handedBack',
  'refused',
  'ended',
]

/** States in which the order holds a unit of the offer's capacity on-chain. */
export const activeOrderStates: readonly OrderState[] = [
  'accepting',
  'accepted',
  'executed',
  'handingBack',
]

/** What the enclave returned for an order: a receipt, or a signed failure. */
export type EnclaveStatement =
  | { outputHash: Hex; wrappedResultKey: Hex; signature: Hex }
  /** `message`: the runtime's one line about the failure (never data), kept for the log. */
  | { failure: number; signature: Hex; message?: string }

export type StoredOrder = {
  orderId: bigint
  terms: OrderTerms
  state: OrderState
  blockNumber: bigint
  blockHash: Hex
  statement?: EnclaveStatement
  /** Why it was refused, handed back or ended. */
  reason?: string
  /** Seconds the job took in the enclave. */
  jobSeconds?: number
}

export type EnclaveStatus = 'starting' | 'registered' | 'lost' | 'retired'

export type StoredEnclave = {
  id: number
  signer?: Address
  socketPath: string
  status: EnclaveStatus
  /** When its registration expires (Unix seconds); set once registered. */
  expiresAt?: number
  /** Whether this daemon revoked it on-chain. */
  revoked: boolean
}

export class ProviderStateError extends BoccError {
  override name = 'ProviderStateError'
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scanned_blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enclaves (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  signer TEXT UNIQUE,
  socket_path TEXT NOT NULL,
  status TEXT NOT NULL,
  expires_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS orders (
  order_id TEXT PRIMARY KEY,
  encoded_terms TEXT NOT NULL,
  enclave TEXT NOT NULL,
  accept_by INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  state TEXT NOT NULL,
  statement TEXT,
  reason TEXT,
  job_seconds REAL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state, accept_by);
CREATE TABLE IF NOT EXISTS lease_usage (
  lease_id TEXT NOT NULL,
  enclave TEXT NOT NULL,
  customer TEXT NOT NULL,
  tokens_in TEXT NOT NULL,
  tokens_out TEXT NOT NULL,
  requests TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (lease_id, enclave)
);
`

type OrderRow = {
  order_id: string
  encoded_terms: Hex
  state: OrderState
  block_number: number | bigint
  block_hash: Hex
  statement: string | null
  reason: string | null
  job_seconds: number | null
}

type LeaseUsageRow = {
  lease_id: string
  enclave: string
  customer: string
  tokens_in: string
  tokens_out: string
  requests: string
  signature: string
}

type EnclaveRow = {
  id: number
  signer: string | null
  socket_path: string
  status: EnclaveStatus
  expires_at: number | null
  revoked: number
}

/** The identity of what a state directory serves: it must not be reused for another. */
export type StateIdentity = { chainId: number; market: Address; provider: Address }

/**
 * The daemon's durable state, in SQLite (`node:sqlite`): orders and what was done with them,
 * its enclaves, the chain position it has processed, and its offer. Every write is one
 * transaction, on disk before the call returns (WAL, synchronous FULL), so a `kill -9` at any
 * point leaves either the state before or the state after.
 */
export function openProviderState(directory: string, identity: StateIdentity) {
  mkdirSync(directory, { recursive: true, mode: 0o700 })
  const db = new DatabaseSync(join(directory, 'provider.sqlite'))
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;')
  db.exec(schema)
  db.exec('BEGIN IMMEDIATE')
  try {
    checkIdentity(identity)
    db.exec('COMMIT')
  } catch (error) {
    db.exec('ROLLBACK')
    db.close()
    throw error
  }

  function checkIdentity(expected: StateIdentity) {
    const stored = getMeta('identity')
    const wanted = JSON.stringify({
      chainId: expected.chainId,
      market: expected.market.toLowerCase(),
      provider: expected.provider.toLowerCase(),
    })
    if (stored === undefined) setMeta('identity', wanted)
    else if (stored !== wanted)
      throw new ProviderStateError(
        `the state directory ${directory} belongs to another provider or deployment (${stored}); give this provider its own stateDirectory`,
      )
  }

  function getMeta(key: string): string | undefined {
    const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined
    return row?.value
  }
  function setMeta(key: string, value: string) {
    db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value)
  }
  function transaction<T>(work: () => T): T {
    db.exec('BEGIN IMMEDIATE')
    try {
      const result = work()
      db.exec('COMMIT')
      return result
    } catch (error) {
      db.exec('ROLLBACK')
      throw error
    }
  }
  const now = () => Math.floor(Date.now() / 1000)

  function toOrder(row: OrderRow): StoredOrder {
    const [terms] = decodeAbiParameters([orderTermsParameter], row.encoded_terms)
    return {
      orderId: BigInt(row.order_id),
      terms,
      state: row.state,
      blockNumber: BigInt(row.block_number),
      blockHash: row.block_hash,
      ...(row.statement ? { statement: JSON.parse(row.statement) as EnclaveStatement } : {}),
      ...(row.reason ? { reason: row.reason } : {}),
      ...(row.job_seconds === null ? {} : { jobSeconds: row.job_seconds }),
    }
  }
  function toEnclave(row: EnclaveRow): StoredEnclave {
    return {
      id: row.id,
      ...(row.signer ? { signer: row.signer as Address } : {}),
      socketPath: row.socket_path,
      status: row.status,
      ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
      revoked: row.revoked === 1,
    }
  }

  return {
    directory,
    close: () => db.close(),

    /** The TEE offer this daemon serves. */
    offerId(): number | undefined {
      const value = getMeta('offerId')
      return value === undefined ? undefined : Number(value)
    },
    setOfferId(offerId: number, fromBlock: bigint) {
      transaction(() => {
        setMeta('offerId', String(offerId))
        if (getMeta('lastScannedBlock') === undefined)
          setMeta('lastScannedBlock', String(fromBlock - 1n))
      })
    },
    /** The last block whose orders were taken in. */
    lastScannedBlock(): bigint | undefined {
      const value = getMeta('lastScannedBlock')
      return value === undefined ? undefined : BigInt(value)
    },
    /** The hashes recorded for scanned blocks, newest first (for reorg checks). */
    scannedBlocks(): { number: bigint; hash: Hex }[] {
      return (
        db.prepare('SELECT number, hash FROM scanned_blocks ORDER BY number DESC').all() as {
          number: number
          hash: Hex
        }[]
      ).map((row) => ({ number: BigInt(row.number), hash: row.hash }))
    },
    /**
     * Takes in the orders of a scanned range and moves the position to `block` in one
     * transaction. Orders already known keep their state; their block is updated if a reorg
     * moved them.
     */
    recordScan(
      block: { number: bigint; hash: Hex },
      orders: {
        orderId: bigint
        terms: OrderTerms
        blockNumber: bigint
        blockHash: Hex
        state: OrderState
        reason?: string
      }[],
    ) {
      transaction(() => {
        const insert = db.prepare(
          `INSERT INTO orders (order_id, encoded_terms, enclave, accept_by, deadline, block_number, block_hash, state, reason, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (order_id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash`,
        )
        for (const order of orders)
          insert.run(
            formatOrderId(order.orderId),
            encodeAbiParameters([orderTermsParameter], [order.terms]),
            order.terms.enclave.toLowerCase(),
            order.terms.acceptBy,
            order.terms.deadline,
            order.blockNumber,
            order.blockHash,
            order.state,
            order.reason ?? null,
            now(),
          )
        db.prepare('INSERT OR REPLACE INTO scanned_blocks (number, hash) VALUES (?, ?)').run(
          block.number,
          block.hash,
        )
        db.prepare(
          'DELETE FROM scanned_blocks WHERE number NOT IN (SELECT number FROM scanned_blocks ORDER BY number DESC LIMIT 256)',
        ).run()
        setMeta('lastScannedBlock', String(block.number))
      })
    },
    /**
     * A reorg replaced the blocks after `block`: forget their scan, and the orders seen there
     * that were never acted on (a rescan takes in those that are still there).
     */
    rewindTo(block: bigint) {
      transaction(() => {
        db.prepare('DELETE FROM scanned_blocks WHERE number > ?').run(block)
        db.prepare(
          "DELETE FROM orders WHERE block_number > ? AND state IN ('queued', 'refused')",
        ).run(block)
        setMeta('lastScannedBlock', String(block))
      })
    },

    order(orderId: bigint): StoredOrder | undefined {
      const row = db
        .prepare('SELECT * FROM orders WHERE order_id = ?')
        .get(formatOrderId(orderId)) as OrderRow | undefined
      return row ? toOrder(row) : undefined
    },
    /** Orders in these states, those to accept first (earliest acceptBy) first. */
    ordersIn(states: readonly OrderState[]): StoredOrder[] {
      const rows = db
        .prepare(
          `SELECT * FROM orders WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY accept_by, order_id`,
        )
        .all(...states) as OrderRow[]
      return rows.map(toOrder)
    },
    countByState(): Record<OrderState, number> {
      const counts = Object.fromEntries(orderStates.map((state) => [state, 0])) as Record<
        OrderState,
        number
      >
      for (const row of db
        .prepare('SELECT state, COUNT(*) AS n FROM orders GROUP BY state')
        .all() as {
        state: OrderState
        n: number
      }[])
        counts[row.state] = row.n
      return counts
    },
    /** Moves orders to `state` (with a reason) in one transaction. */
    setState(orderIds: readonly bigint[], state: OrderState, reason?: string) {
      transaction(() => {
        const update = db.prepare(
          'UPDATE orders SET state = ?, reason = COALESCE(?, reason), updated_at = ? WHERE order_id = ?',
        )
        for (const orderId of orderIds)
          update.run(state, reason ?? null, now(), formatOrderId(orderId))
      })
    },
    /** Stores the enclave's receipt or failure: from now on it is never lost. */
    setExecuted(orderId: bigint, statement: EnclaveStatement, jobSeconds: number) {
      db.prepare(
        "UPDATE orders SET state = 'executed', statement = ?, job_seconds = ?, updated_at = ? WHERE order_id = ? AND state = 'accepted'",
      ).run(JSON.stringify(statement), jobSeconds, now(), formatOrderId(orderId))
    },
    /** Forgets an order the chain does not have (a reorg took it out): it may come back. */
    forgetOrder(orderId: bigint) {
      db.prepare('DELETE FROM orders WHERE order_id = ?').run(formatOrderId(orderId))
    },

    enclaves(): StoredEnclave[] {
      return (db.prepare('SELECT * FROM enclaves ORDER BY id').all() as EnclaveRow[]).map(toEnclave)
    },
    /** A new enclave about to start; its socket is named after its row. */
    addEnclave(): StoredEnclave {
      return transaction(() => {
        const { lastInsertRowid } = db
          .prepare("INSERT INTO enclaves (socket_path, status) VALUES ('', 'starting')")
          .run()
        const id = Number(lastInsertRowid)
        const socketPath = join(directory, 'enclaves', `${id}.sock`)
        db.prepare('UPDATE enclaves SET socket_path = ? WHERE id = ?').run(socketPath, id)
        return { id, socketPath, status: 'starting' as const, revoked: false }
      })
    },
    updateEnclave(
      id: number,
      update: { signer?: Address; status?: EnclaveStatus; expiresAt?: number; revoked?: boolean },
    ) {
      db.prepare(
        `UPDATE enclaves SET signer = COALESCE(?, signer), status = COALESCE(?, status),
         expires_at = COALESCE(?, expires_at), revoked = COALESCE(?, revoked) WHERE id = ?`,
      ).run(
        update.signer?.toLowerCase() ?? null,
        update.status ?? null,
        update.expiresAt ?? null,
        update.revoked === undefined ? null : update.revoked ? 1 : 0,
        id,
      )
    },

    /**
     * Keeps an enclave-signed lease usage until it settles: per lease and enclave, only the one
     * with the most requests (it covers the earlier ones, counters being cumulative).
     */
    recordLeaseUsage(usage: SignedLeaseUsage) {
      db.prepare(
        `INSERT INTO lease_usage (lease_id, enclave, customer, tokens_in, tokens_out, requests, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (lease_id, enclave) DO UPDATE SET customer = excluded.customer,
           tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out,
           requests = excluded.requests, signature = excluded.signature
         WHERE CAST(excluded.requests AS INTEGER) > CAST(lease_usage.requests AS INTEGER)`,
      ).run(
        String(usage.leaseId),
        usage.enclave.toLowerCase(),
        usage.customer,
        String(usage.tokensIn),
        String(usage.tokensOut),
        String(usage.requests),
        usage.signature,
      )
    },
    /** The lease usage not settled yet, the latest per lease and enclave. */
    unsettledLeaseUsage(): SignedLeaseUsage[] {
      return (db.prepare('SELECT * FROM lease_usage').all() as LeaseUsageRow[]).map((row) => ({
        leaseId: BigInt(row.lease_id),
        enclave: getAddress(row.enclave),
        customer: row.customer as Address,
        tokensIn: BigInt(row.tokens_in),
        tokensOut: BigInt(row.tokens_out),
        requests: BigInt(row.requests),
        signature: row.signature as Hex,
      }))
    },
    /** Forgets a usage once settled (or refused for good), unless a later one replaced it. */
    forgetLeaseUsage(usage: SignedLeaseUsage) {
      db.prepare('DELETE FROM lease_usage WHERE lease_id = ? AND enclave = ? AND requests = ?').run(
        String(usage.leaseId),
        usage.enclave.toLowerCase(),
        String(usage.requests),
      )
    },

    lastWithdrawal(): number {
      return Number(getMeta('lastWithdrawal') ?? 0)
    },
    setLastWithdrawal(time: number) {
      setMeta('lastWithdrawal', String(time))
    },
  }
}

export type ProviderState = ReturnType<typeof openProviderState>
