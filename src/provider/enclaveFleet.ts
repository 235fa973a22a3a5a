import { type Address, getAddress } from 'viem'
import { getEnclave } from '../chain/actions/registry/getEnclave.ts'
import { revokeEnclave } from '../chain/actions/registry/revokeEnclave.ts'
import type { BoccSigner } from '../chain/boccChain.ts'
import { shortMessageOf } from '../errors.ts'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { createAttestationKeeper } from './attestOnChain.ts'
import type { ChainClock } from './chainClock.ts'
import type { ProviderConfig } from './config.ts'
import {
  connectEnclaveHost,
  type EnclaveConnection,
  spawnEnclaveHost,
} from './enclaveHostClient.ts'
import type { ProviderLog } from './providerEvents.ts'
import { activeOrderStates, type ProviderState, type StoredEnclave } from './providerState.ts'
import { registerEnclave } from './registerEnclave.ts'

/** A registered enclave whose runtime is running, and the connection to its host. */
export type LiveEnclave = {
  id: number
  identity: EnclaveIdentity
  connection: EnclaveConnection
  expiresAt: number
}

/** Registration is retried no sooner than this after a failure (the committee may be down). */
const retryRegistrationMs = 5_000

/**
 * The provider's enclaves: each a runtime behind its own enclave host (src/provider/enclaveHost.ts),
 * registered on-chain with the committee's approval. On start it reconnects to the hosts that
 * outlived the previous daemon; it registers a new enclave when none is live or the newest
 * expires within `renewBeforeSeconds`; an enclave whose runtime exits is lost (its accepted
 * orders are handed back, and once none is left it is revoked so nobody orders from it again);
 * an expired one is stopped once its last order is done.
 */
export function createEnclaveFleet(parameters: {
  config: ProviderConfig
  chain: BoccSigner
  state: ProviderState
  blobs: BlobStore
  log: ProviderLog
  clock: ChainClock
  /** Called when an enclave is lost or a new one is live. */
  onChange(): void
  signal: AbortSignal
}) {
  const { config, chain, state, log, clock } = parameters
  const live = new Map<string, LiveEnclave>()
  let starting: Promise<void> | undefined
  let lastFailure = 0
  let stopping = false
  const attestation = createAttestationKeeper()

  function watch(enclave: LiveEnclave) {
    live.set(enclave.identity.signer.toLowerCase(), enclave)
    void enclave.connection.closed.then(() => {
      if (live.get(enclave.identity.signer.toLowerCase()) !== enclave || stopping) return
      live.delete(enclave.identity.signer.toLowerCase())
      state.updateEnclave(enclave.id, { status: 'lost' })
      log({ event: 'enclave-lost', enclave: enclave.identity.signer, reason: 'its runtime exited' })
      parameters.onChange()
    })
  }

  /** Reconnects to a host the previous daemon left running, or records the enclave as lost. */
  async function restore(record: StoredEnclave) {
    const connection = await connectEnclaveHost(record.socketPath).catch(() => undefined)
    const info = (await connection
      ?.request('hostInfo' as never, {} as never)
      .catch(() => undefined)) as { pid: number; identity: EnclaveIdentity } | undefined
    const signer = info?.identity.signer
    if (!connection || !info || (record.signer && signer?.toLowerCase() !== record.signer)) {
      connection?.disconnect()
      if (record.status === 'registered' || record.signer) {
        // A registration with no runtime behind it: its orders cannot be served.
        state.updateEnclave(record.id, { status: 'lost' })
        if (record.signer)
          log({
            event: 'enclave-lost',
            enclave: getAddress(record.signer),
            reason: 'its runtime is gone',
          })
      } else state.updateEnclave(record.id, { status: 'retired' })
      return
    }
    const onChain = await getEnclave(chain, { enclave: info.identity.signer })
    if (onChain?.status !== 1 || onChain.expiresAt <= clock.now()) {
      // Started but never registered (or no longer usable): start afresh.
      await connection.stopHost()
      state.updateEnclave(record.id, { status: 'retired', signer: info.identity.signer })
      return
    }
    state.updateEnclave(record.id, {
      status: 'registered',
      signer: info.identity.signer,
      expiresAt: onChain.expiresAt,
    })
    watch({ id: record.id, identity: info.identity, connection, expiresAt: onChain.expiresAt })
    log({ event: 'enclave-reattached', enclave: info.identity.signer, hostPid: info.pid })
  }

  /** Starts a new runtime (new keys), has the committee approve it and registers it. */
  async function startNew() {
    const record = state.addEnclave()
    const { pid, identity } = await spawnEnclaveHost({
      tee: config.tee,
      socketPath: record.socketPath,
      orphanSeconds: config.enclave.orphanSeconds,
      signal: parameters.signal,
    })
    state.updateEnclave(record.id, { signer: identity.signer })
    log({ event: 'enclave-started', identity, hostPid: pid })
    const connection = await connectEnclaveHost(record.socketPath)
    try {
      parameters.signal.throwIfAborted()
      const registered = await registerEnclave({
        chain,
        enclave: connection,
        identity,
        blobs: parameters.blobs,
        committeeUrls: config.committeeUrls,
        validitySeconds: config.enclave.validitySeconds,
      })
      const { expiresAt } = registered.registration
      state.updateEnclave(record.id, { status: 'registered', expiresAt })
      log({
        event: 'enclave-registered',
        enclave: identity.signer,
        evidenceHash: registered.registration.evidenceHash,
        transaction: registered.transaction,
        expiresAt,
      })
      watch({ id: record.id, identity, connection, expiresAt })
      parameters.onChange()
    } catch (error) {
      await connection.stopHost()
      state.updateEnclave(record.id, { status: 'retired' })
      throw error
    }
  }

  const newest = () =>
    [...live.values()].reduce<LiveEnclave | undefined>(
      (best, enclave) => (!best || enclave.expiresAt > best.expiresAt ? enclave : best),
      undefined,
    )
  const needsNew = () => {
    const current = newest()
    return !current || current.expiresAt - clock.now() < config.enclave.renewBeforeSeconds
  }

  function activeOrdersOf(signer: string) {
    return state
      .ordersIn(activeOrderStates)
      .filter((order) => order.terms.enclave.toLowerCase() === signer.toLowerCase()).length
  }

  return {
    /** Reconnects to the hosts of the previous run. */
    async restore() {
      for (const record of state.enclaves())
        if (record.status === 'starting' || record.status === 'registered') await restore(record)
    },
    /** Starts and registers a new enclave if none is live or the newest expires soon; waits for it. */
    async ensureCurrent() {
      if (!needsNew()) return
      starting ??= startNew().finally(() => {
        starting = undefined
      })
      await starting
    },
    /**
     * Keeps the fleet in shape, without waiting for a new enclave: starts one when needed
     * (retrying after failures), stops expired enclaves without orders, and revokes lost ones
     * once their orders are done.
     */
    async maintain() {
      if (stopping) return
      if (needsNew() && !starting && Date.now() - lastFailure > retryRegistrationMs)
        starting = startNew()
          .catch((error: unknown) => {
            lastFailure = Date.now()
            if (!stopping) log({ event: 'warning', message: `enclave: ${shortMessageOf(error)}` })
          })
          .finally(() => {
            starting = undefined
          })
      const now = clock.now()
      for (const enclave of [...live.values()])
        if (enclave.expiresAt <= now && activeOrdersOf(enclave.identity.signer) === 0) {
          live.delete(enclave.identity.signer.toLowerCase())
          state.updateEnclave(enclave.id, { status: 'retired' })
          await enclave.connection.stopHost()
          log({ event: 'enclave-retired', enclave: enclave.identity.signer })
        }
      for (const enclave of [...live.values()]) {
        // Newer TCB collateral may have suspended it; once its platform is updated it re-attests.
        const kept = await attestation
          .keep({
            chain,
            enclave: enclave.connection,
            identity: enclave.identity,
            blobs: parameters.blobs,
          })
          .catch((error: unknown) => ({
            state: 'suspended' as const,
            reason: shortMessageOf(error),
          }))
        if (kept?.state === 'reattested')
          log({
            event: 'enclave-registered',
            enclave: enclave.identity.signer,
            evidenceHash: kept.registration.evidenceHash,
            transaction: kept.transaction,
            expiresAt: kept.registration.expiresAt,
          })
        else if (kept?.state === 'suspended')
          log({
            event: 'warning',
            message: `enclave ${enclave.identity.signer} suspended: ${kept.reason}`,
          })
      }
      for (const record of state.enclaves())
        if (record.status === 'lost' && !record.revoked && record.signer) {
          if (activeOrdersOf(record.signer) > 0) continue
          const onChain = await getEnclave(chain, { enclave: record.signer })
          if (onChain?.status === 1 && onChain.expiresAt > now)
            await revokeEnclave(chain, { enclave: record.signer })
          state.updateEnclave(record.id, { revoked: true })
          if (onChain?.status === 1)
            log({ event: 'enclave-revoked', enclave: getAddress(record.signer) })
        }
    },
    /** The live enclave with this signer, if any. */
    live(signer: Address): LiveEnclave | undefined {
      return live.get(signer.toLowerCase())
    },
    liveEnclaves: () => [...live.values()],
    newest,
    /** Whether the signer is one of this provider's enclaves (live or not). */
    knows(signer: Address): boolean {
      return state.enclaves().some((record) => record.signer === signer.toLowerCase())
    },
    /** Leaves every runtime running for the next daemon (an upgrade). */
    detachAll() {
      stopping = true
      for (const enclave of live.values()) enclave.connection.disconnect()
      live.clear()
    },
    /**
     * Stops every runtime (graceful shutdown). An enclave left with no order is revoked, so that
     * nobody orders from it while it is down; one that still has orders is recorded as lost, and
     * revoked by the next run once they are done.
     */
    async stopAll() {
      stopping = true
      await starting?.catch(() => undefined)
      for (const enclave of live.values()) {
        await enclave.connection.stopHost()
        const signer = enclave.identity.signer
        if (activeOrdersOf(signer) > 0) {
          state.updateEnclave(enclave.id, { status: 'lost' })
          continue
        }
        state.updateEnclave(enclave.id, { status: 'retired' })
        if (enclave.expiresAt <= clock.now()) continue
        try {
          await revokeEnclave(chain, { enclave: signer })
          state.updateEnclave(enclave.id, { revoked: true })
          log({ event: 'enclave-revoked', enclave: signer })
        } catch (error) {
          log({ event: 'warning', message: `could not revoke ${signer}: ${shortMessageOf(error)}` })
        }
      }
      live.clear()
    },
  }
}

export type EnclaveFleet = ReturnType<typeof createEnclaveFleet>
