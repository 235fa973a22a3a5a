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
import { EnclaveUnreachableError } from './enclaveErrors.ts'
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
  /** Where its host serves it. */
  socketPath: string
  identity: EnclaveIdentity
  connection: EnclaveConnection
  expiresAt: number
}

/** Registration is retried no sooner than this after a failure (the committee may be down). */
const retryRegistrationMs = 5_000
/** How long a host the previous daemon started may still take to start its runtime. */
const hostStartMs = 30_000
/** Attempts at an enclave when its host fails under the daemon as it starts. */
const startAttempts = 3

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
  /** Signers (lower case) whose connection dropped and is being made again. */
  const reconnecting = new Set<string>()
  let starting: Promise<void> | undefined
  let lastFailure = 0
  let stopping = false
  const attestation = createAttestationKeeper()

  /**
   * Keeps an enclave live while its host serves it. A dropped connection is not yet a lost
   * enclave: the host may have closed only this connection, so it reconnects first; only a host
   * that no longer answers (or answers for other keys) makes the enclave lost, and the next round
   * hands its orders back.
   */
  function watch(enclave: LiveEnclave) {
    const key = enclave.identity.signer.toLowerCase()
    live.set(key, enclave)
    void enclave.connection.closed.then(async () => {
      if (live.get(key) !== enclave || stopping) return
      live.delete(key)
      reconnecting.add(key)
      const attached = await attachHost(enclave.socketPath, enclave.identity.signer)
      reconnecting.delete(key)
      if (attached && !stopping) {
        watch({ ...enclave, connection: attached.connection })
        log({
          event: 'enclave-reattached',
          enclave: enclave.identity.signer,
          hostPid: attached.pid,
        })
      } else if (!stopping) {
        state.updateEnclave(enclave.id, { status: 'lost' })
        log({
          event: 'enclave-lost',
          enclave: enclave.identity.signer,
          reason: 'its runtime exited',
        })
      } else attached?.connection.disconnect()
      parameters.onChange()
    })
  }

  /**
   * Connects to the host at `socketPath` and asks whom it serves: undefined if no host answers
   * within `retryForMs`, or it serves other keys than `signer`'s.
   */
  async function attachHost(
    socketPath: string,
    signer: string | undefined,
    retryForMs?: number,
  ): Promise<
    { connection: EnclaveConnection; pid: number; identity: EnclaveIdentity } | undefined
  > {
    const connection = await connectEnclaveHost(socketPath, {
      ...(retryForMs === undefined ? {} : { retryForMs }),
      signal: parameters.signal,
    }).catch(() => undefined)
    const info = (await connection
      ?.request('hostInfo' as never, {} as never)
      .catch(() => undefined)) as { pid: number; identity: EnclaveIdentity } | undefined
    if (
      !connection ||
      !info ||
      (signer && info.identity.signer.toLowerCase() !== signer.toLowerCase())
    ) {
      connection?.disconnect()
      return undefined
    }
    return { connection, ...info }
  }

  /** Reconnects to a host the previous daemon left running, or records the enclave as lost. */
  async function restore(record: StoredEnclave) {
    // A host still starting its runtime (the previous daemon died meanwhile) is waited for.
    const attached = await attachHost(
      record.socketPath,
      record.signer,
      record.status === 'starting' ? hostStartMs : undefined,
    )
    if (!attached) {
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
    const { connection, identity, pid } = attached
    const onChain = await getEnclave(chain, { enclave: identity.signer })
    if (onChain?.status !== 1 || onChain.expiresAt <= clock.now()) {
      // Started but never registered (or no longer usable): start afresh.
      await connection.stopHost()
      state.updateEnclave(record.id, { status: 'retired', signer: identity.signer })
      return
    }
    state.updateEnclave(record.id, {
      status: 'registered',
      signer: identity.signer,
      expiresAt: onChain.expiresAt,
    })
    const { socketPath } = record
    watch({ id: record.id, socketPath, identity, connection, expiresAt: onChain.expiresAt })
    log({ event: 'enclave-reattached', enclave: identity.signer, hostPid: pid })
  }

  /** Starts a new runtime (new keys), has the committee approve it and registers it. */
  async function startNew() {
    const record = state.addEnclave()
    const { pid, identity, terminate } = await spawnEnclaveHost({
      tee: config.tee,
      socketPath: record.socketPath,
      orphanSeconds: config.enclave.orphanSeconds,
      ...(config.enclave.gpuCollector ? { gpuCollector: config.enclave.gpuCollector } : {}),
      signal: parameters.signal,
    })
    state.updateEnclave(record.id, { signer: identity.signer })
    log({ event: 'enclave-started', identity, hostPid: pid })
    let connection: EnclaveConnection | undefined
    try {
      connection = await connectEnclaveHost(record.socketPath)
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
      watch({ id: record.id, socketPath: record.socketPath, identity, connection, expiresAt })
      parameters.onChange()
    } catch (error) {
      await connection?.stopHost()
      // Whether or not it heard: a host that is still up must not outlive this attempt.
      terminate()
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
    /**
     * Starts and registers a new enclave if none is live or the newest expires soon; waits for
     * it. A host that fails under it (its runtime exits mid-registration) is replaced, a few
     * times, before this gives up.
     */
    async ensureCurrent() {
      for (let attempt = 1; needsNew(); attempt++) {
        starting ??= startNew().finally(() => {
          starting = undefined
        })
        try {
          await starting
        } catch (error) {
          if (!(error instanceof EnclaveUnreachableError) || attempt >= startAttempts) throw error
          log({ event: 'warning', message: `enclave: ${shortMessageOf(error)}` })
        }
      }
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
    /** Whether this enclave's connection dropped and is being made again (not lost yet). */
    reconnecting(signer: Address): boolean {
      return reconnecting.has(signer.toLowerCase())
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
