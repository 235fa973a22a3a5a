import type { TeeKind } from '../attestation/types.ts'
import { getBalance } from '../chain/actions/market/getBalance.ts'
import { getMarketSettings } from '../chain/actions/market/getMarketSettings.ts'
import { getStake } from '../chain/actions/market/getStake.ts'
import { withdraw } from '../chain/actions/market/withdraw.ts'
import { type BoccSigner, connectBoccSigner } from '../chain/boccChain.ts'
import { type Deployment, readDeployment } from '../chain/deployment.ts'
import { readKeyFile } from '../chain/keyFile.ts'
import { shortMessageOf } from '../errors.ts'
import { hardwareOf } from '../protocol/enclaveApproval.ts'
import { type AcceptPause, acceptQueuedOrders } from './acceptQueuedOrders.ts'
import { createChainClock } from './chainClock.ts'
import type { ProviderConfig } from './config.ts'
import type { DaemonContext } from './daemonContext.ts'
import { createEnclaveFleet } from './enclaveFleet.ts'
import { ensureStake } from './ensureStake.ts'
import { ensureTeeOffer } from './ensureTeeOffer.ts'
import { handBackOrders } from './handBackOrders.ts'
import { healthHandler, type ProviderHealth, startHealthServer } from './healthServer.ts'
import { serveLeaseFront } from './leaseFront.ts'
import { providerBlobStore } from './providerBlobStore.ts'
import { createProviderLog, type ProviderEvent } from './providerEvents.ts'
import { createProviderMetrics } from './providerMetrics.ts'
import { activeOrderStates, openProviderState, orderStates } from './providerState.ts'
import { reconcileOrders } from './reconcileOrders.ts'
import { runAcceptedOrders } from './runAcceptedOrders.ts'
import { scanOrders } from './scanOrders.ts'
import { submitStatements } from './submitStatements.ts'
import { testCrashPoint } from './testCrashPoint.ts'

/** The longest the daemon waits for a new block before it takes a round anyway. */
const idleRoundMs = 5_000

export type ProviderDaemon = {
  /** The health and metrics endpoint, when one is served. */
  metricsUrl?: string
  /** The lease front, when the configuration asks for one. */
  leasesUrl?: string
  offerId: number
  /**
   * Stops accepting, lets running jobs finish within the grace period, hands back the rest, and
   * stops. With `detach` (for an upgrade) it stops at once instead and leaves its enclave
   * runtimes running for the next daemon, which takes over their orders.
   */
  stop(reason?: string, options?: { detach?: boolean }): Promise<void>
  /** Resolves when the daemon has stopped. */
  stopped: Promise<void>
}

export type StartProviderDaemonOptions = {
  /** Where log lines go (default: stdout). */
  write?: (line: string) => void
  onEvent?: (event: ProviderEvent) => void
  /** Aborting while the daemon starts stops what it started. */
  signal?: AbortSignal
  /** Tests only: BOCC_PROVIDER_TEST_CRASH_AT (src/provider/testCrashPoint.ts). */
  testCrashAt?: string
}

/**
 * The provider daemon: registers the provider and its stake, its TEE offer and its enclaves,
 * then serves the offer's orders until stopped (see docs/operations.md, "Running a provider").
 * Each round, on every new block or as soon as a job finishes, it takes the steps below in
 * order; each reads what to do from the durable state and the chain, so a round interrupted by a
 * crash or an RPC error is simply taken again.
 */
export async function startProviderDaemon(
  config: ProviderConfig,
  options: StartProviderDaemonOptions = {},
): Promise<ProviderDaemon> {
  const log = createProviderLog(
    options.write ?? ((line) => process.stdout.write(line)),
    options.onEvent,
  )
  const abort = new AbortController()
  options.signal?.addEventListener('abort', () => abort.abort(), { once: true })
  const deployment = await readDeployment(config.deploymentFile)
  const { store: blobs } = providerBlobStore(config, deployment)
  const crashPoint = testCrashPoint(
    options.testCrashAt,
    deployment.development !== undefined,
    (step) => log({ event: 'test-fault', step }),
  )
  const key = await readKeyFile(config.keyFile)
  const chain = await connectWithRetry(deployment, key.privateKey, config, log, abort.signal)
  log({
    event: 'starting',
    provider: chain.account.address,
    chainId: chain.chain.id,
    market: deployment.contracts.market,
  })
  const state = openProviderState(config.stateDirectory, {
    chainId: chain.chain.id,
    market: deployment.contracts.market,
    provider: chain.account.address,
  })
  const metrics = createProviderMetrics()
  const clock = createChainClock()
  let wakeUp: () => void = () => {}
  const fleet = createEnclaveFleet({
    config,
    chain,
    state,
    blobs,
    log,
    clock,
    onChange: () => wakeUp(),
    signal: abort.signal,
  })
  let phase: ProviderHealth['status'] = 'starting'
  let pause: AcceptPause
  let lastRoundError: string | undefined
  let health: Awaited<ReturnType<typeof startHealthServer>> | undefined
  let leaseFront: Awaited<ReturnType<typeof serveLeaseFront>> | undefined
  let healthNow = (): ProviderHealth => ({ status: phase, problems: [] })
  try {
    if (config.metrics)
      health = await startHealthServer(
        healthHandler({ metrics, health: () => healthNow() }),
        config.metrics,
      )
    clock.observe((await chain.publicClient.getBlock({ blockTag: 'latest' })).timestamp)
    const settings = await getMarketSettings(chain)
    const staked = await ensureStake(chain, config.stake)
    if (staked > 0n) log({ event: 'staked', amount: staked.toString() })
    await fleet.restore()
    abort.signal.throwIfAborted()
    await fleet.ensureCurrent()
    // The offer sells the hardware the enclave runs on (`tee: auto` learns it from the runtime).
    const offerId = await ensureTeeOffer({
      chain,
      state,
      log,
      hardware: hardwareOf((fleet.newest()?.identity.tee ?? config.tee) as TeeKind),
      price: config.offer.price,
      capacity: config.offer.capacity,
    })

    // Sealed chat requests go to the newest live enclave: a replacement is followed at once.
    if (config.leases)
      leaseFront = await serveLeaseFront({
        config: config.leases,
        chain,
        enclave: () => fleet.newest()?.connection,
        state,
        blobs,
        ownerAgentUrls: config.ownerAgentUrls,
        log,
      })

    const context: DaemonContext = {
      config,
      chain,
      state,
      blobs,
      log,
      metrics,
      settings,
      offerId,
      fleet,
      clock,
      crashPoint,
      wake: () => wakeUp(),
    }
    // What the previous run left: the chain says what landed.
    await reconcileOrders(context, state.ordersIn(['queued', ...activeOrderStates]))

    const running = new Map<bigint, Promise<void>>()
    let stopping: string | undefined
    const round = async () => {
      await scanOrders(context)
      await reconcileOrders(context, state.ordersIn(['accepting']))
      await handBackOrders(context)
      const accepted = await acceptQueuedOrders(context, {
        pause: stopping ? 'stopping' : pause === 'stake below the minimum' ? undefined : pause,
      })
      updatePause(accepted.stakeLow)
      runAcceptedOrders(context, { running })
      await submitStatements(context)
      await handBackOrders(context)
      await fleet.maintain()
      await withdrawOnSchedule(context)
    }
    const updatePause = (stakeLow?: { active: bigint; needed: bigint }) => {
      if (stakeLow && pause !== 'stake below the minimum') {
        pause = 'stake below the minimum'
        log({
          event: 'stake-low',
          active: String(stakeLow.active),
          needed: String(stakeLow.needed),
        })
      } else if (!stakeLow && pause === 'stake below the minimum' && !stopping) {
        pause = undefined
        log({ event: 'accepting', reason: 'the stake is back above the minimum' })
      }
    }

    const refreshMetrics = () => {
      const counts = state.countByState()
      for (const orderState of orderStates)
        metrics.orders.set({ state: orderState }, counts[orderState])
      const live = fleet.liveEnclaves()
      metrics.liveEnclaves.set(live.length)
      const newest = fleet.newest()
      metrics.enclaveExpiry.set(newest ? newest.expiresAt - clock.now() : 0)
      metrics.accepting.set(pause || stopping || live.length === 0 ? 0 : 1)
    }
    const loop = (async () => {
      let lastHead = -1n
      while (!stopping) {
        const woken = new Promise<void>((resolve) => {
          wakeUp = resolve
        })
        try {
          await round()
          lastRoundError = undefined
        } catch (error) {
          metrics.rpcErrors.inc()
          const message = shortMessageOf(error)
          if (message !== lastRoundError) log({ event: 'warning', message })
          lastRoundError = message
        }
        refreshMetrics()
        // Until a new block or a finished job: poll the head, cheaply, at the configured pace;
        // without blocks (a quiet chain) a round still comes now and then, for the schedules.
        const roundEnded = Date.now()
        for (;;) {
          const tick = new Promise((resolve) => setTimeout(resolve, config.pollIntervalMs))
          const next = await Promise.race([woken.then(() => 'woken'), tick.then(() => 'tick')])
          if (next === 'woken' || stopping || Date.now() - roundEnded > idleRoundMs) break
          const head = await chain.publicClient
            .getBlockNumber({ cacheTime: 0 })
            .catch(() => lastHead + 1n)
          if (head !== lastHead) {
            lastHead = head
            break
          }
        }
      }
    })()

    healthNow = (): ProviderHealth => {
      const problems: string[] = []
      if (fleet.liveEnclaves().length === 0) problems.push('no live enclave')
      if (pause) problems.push(`not accepting: ${pause}`)
      if (lastRoundError) problems.push(lastRoundError)
      return {
        status: phase === 'ok' && problems.length > 0 ? 'degraded' : phase,
        problems,
        offerId,
        enclaves: fleet.liveEnclaves().map((enclave) => ({
          signer: enclave.identity.signer,
          expiresAt: enclave.expiresAt,
        })),
        orders: state.countByState(),
        scannedBlock: String(state.lastScannedBlock() ?? ''),
      }
    }
    refreshMetrics()
    phase = 'ok'
    const newest = fleet.newest()
    log({
      event: 'ready',
      offerId,
      enclave: newest?.identity.signer ?? '0x',
      ...(health ? { metrics: health.url } : {}),
      ...(leaseFront ? { leases: leaseFront.url } : {}),
    } as ProviderEvent)

    let resolveStopped: () => void = () => {}
    const stopped = new Promise<void>((resolve) => {
      resolveStopped = resolve
    })
    let stopOnce: Promise<void> | undefined
    const stop = (reason = 'asked to stop', stopOptions: { detach?: boolean } = {}) =>
      (stopOnce ??= (async () => {
        log({ event: 'stopping', reason })
        stopping = reason
        phase = 'stopping'
        wakeUp()
        await loop
        // The front stops taking requests and settles what it collected.
        await leaseFront?.close()
        if (stopOptions.detach) {
          fleet.detachAll()
          await health?.close()
          state.close()
          log({ event: 'stopped' })
          resolveStopped()
          return
        }
        // Running jobs get the grace period; what is left is handed back before the deadline.
        const grace = new Promise((resolve) =>
          setTimeout(resolve, config.shutdownGraceSeconds * 1000).unref(),
        )
        await Promise.race([Promise.all(running.values()), grace])
        for (const order of state.ordersIn(['accepted']))
          state.setState([order.orderId], 'handingBack', 'the provider is shutting down')
        for (const step of [submitStatements, handBackOrders])
          await step(context).catch((error: unknown) =>
            log({ event: 'warning', message: shortMessageOf(error) }),
          )
        await fleet.stopAll()
        await health?.close()
        state.close()
        log({ event: 'stopped' })
        resolveStopped()
      })())
    return {
      ...(health ? { metricsUrl: health.url } : {}),
      ...(leaseFront ? { leasesUrl: leaseFront.url } : {}),
      offerId,
      stop,
      stopped,
    }
  } catch (error) {
    abort.abort()
    await leaseFront?.close().catch(() => undefined)
    await fleet.stopAll().catch(() => undefined)
    await health?.close()
    state.close()
    throw error
  }
}

/** Connects to the chain, waiting for it (with a warning) while the RPC does not answer. */
async function connectWithRetry(
  deployment: Deployment,
  privateKey: `0x${string}`,
  config: ProviderConfig,
  log: ReturnType<typeof createProviderLog>,
  signal: AbortSignal,
): Promise<BoccSigner> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectBoccSigner(
        deployment,
        privateKey,
        config.rpcUrl ? { rpcUrl: config.rpcUrl } : {},
      )
    } catch (error) {
      if ((error as Error).name !== 'ChainUnreachableError' || signal.aborted) throw error
      if (attempt === 0) log({ event: 'warning', message: shortMessageOf(error) })
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)))
    }
  }
}

/** Withdraws the available balance (matured payouts included) every `withdrawIntervalSeconds`. */
async function withdrawOnSchedule(context: DaemonContext) {
  const now = Math.floor(Date.now() / 1000)
  if (now - context.state.lastWithdrawal() < context.config.withdrawIntervalSeconds) return
  const { available } = await getBalance(context.chain, {
    account: context.chain.account.address,
  })
  if (available > 0n) {
    await withdraw(context.chain, { amount: available })
    context.log({ event: 'withdrawn', amount: available.toString() })
  }
  context.state.setLastWithdrawal(now)
  const stake = await getStake(context.chain, { provider: context.chain.account.address })
  context.metrics.stakeActive.set(Number(stake.active))
  context.metrics.stakeLocked.set(Number(stake.locked))
}
