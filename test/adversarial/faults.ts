import { appendFileSync } from 'node:fs'
import { childPids } from '../provider/support/providerTestbed.ts'
import {
  customerRoles,
  type DaemonWorld,
  type ProviderRole,
  providerRoles,
  type TrackedOrder,
} from './daemonWorld.ts'
import { orderContinuously } from './ordering.ts'

/** The faults the suite injects (docs/threat-model.md, "Faults"). */
export const faultKinds = [
  /** `kill -9` of the provider daemon, restarted at once; its enclave host lives on. */
  'daemon killed',
  /** `kill -9` of the enclave runtime under its host: its keys are gone with it. */
  'enclave runtime killed',
  /** The daemon's RPC goes down for 1–3 s: every connection cut, new ones refused. */
  'RPC down',
  /** The daemon's RPC drops the connections of its next few requests. */
  'RPC drops requests',
  /**
   * The chain node itself stopped and started again with its state (same port, same chain id),
   * under every daemon, customer and the committee at once.
   */
  'chain node restarted',
] as const

export type FaultKind = (typeof faultKinds)[number]

/**
 * How often each fault is drawn: the cheap ones more, so that 200 fit in the run's time, and the
 * enclave runtime's death rarely, since every order sealed to its keys is lost with it (handed
 * back or refunded) by design.
 */
const weights: Record<FaultKind, number> = {
  'daemon killed': 0.27,
  'enclave runtime killed': 0.04,
  'RPC down': 0.3,
  'RPC drops requests': 0.3,
  'chain node restarted': 0.09,
}

export type FaultOutcome = {
  kind: FaultKind
  provider: ProviderRole
  survived: boolean
  error?: string
}

/**
 * Injects `faults` faults at random moments, half on each provider, while the four customers keep
 * ordering (at least `orders` orders). A fault is survived when the daemon is back at work after
 * it (serving its offer with a live enclave); the run as a whole is judged by the orders and the
 * tokens afterwards.
 */
export async function runFaults(
  world: DaemonWorld,
  parameters: { orders: number; faults: number; random: () => number },
): Promise<{ faults: FaultOutcome[]; orders: TrackedOrder[] }> {
  const { random } = parameters
  const outcomes: FaultOutcome[] = []
  let injecting = true
  const perProvider = providerRoles.map(
    (_, i) =>
      Math.floor(parameters.faults / providerRoles.length) +
      (i < parameters.faults % providerRoles.length ? 1 : 0),
  )
  const ordering = orderContinuously(world, {
    customers: customerRoles,
    total: parameters.orders,
    // Few orders open per customer, as under an outage a careful client would.
    window: 1,
    // Chain seconds: on an automining node busy with many blocks a second they pass faster than ours.
    acceptWithinSeconds: 900,
    deliverWithinSeconds: 900,
    until: () => injecting,
  })
  await Promise.all(
    providerRoles.map(async (role, i) => {
      for (let n = 0; n < (perProvider[i] ?? 0); n++) {
        await sleep(200 + random() * 1_500)
        // Every kind once first (even a small run injects each), then drawn by weight.
        const first = n * providerRoles.length + i
        const kind = first < cycle.length ? (cycle[first] as FaultKind) : draw(random)
        const outcome = await inject(world, role, kind, random)
        outcomes.push(outcome)
        progress(
          `fault ${outcomes.length}: ${kind} on ${role}: ${outcome.survived ? 'survived' : outcome.error}`,
        )
        // A daemon that exited is started again (the fault above is not survived), so that
        // the customers' orders on it do not wait for ever.
        const run = world.runs[role]
        if (run.process.exitCode !== null || run.process.signalCode !== null)
          try {
            await world.restartDaemon(role, false)
          } catch (error) {
            // It does not come back: customers go elsewhere, and no more faults are injected here.
            world.unavailable.add(role)
            progress(`the ${role} daemon does not start again: ${(error as Error).message}`)
            break
          }
      }
    }),
  )
  injecting = false
  return { faults: outcomes, orders: await ordering }
}

const cycle: FaultKind[] = [
  'daemon killed',
  'RPC down',
  'RPC drops requests',
  'enclave runtime killed',
  'chain node restarted',
]

function draw(random: () => number): FaultKind {
  let roll = random()
  for (const kind of faultKinds) {
    roll -= weights[kind]
    if (roll < 0) return kind
  }
  return 'RPC drops requests'
}

/** The chain restart under way, if any (a failed one is reported by its own fault). */
let restartingChain: Promise<void> = Promise.resolve()

async function inject(
  world: DaemonWorld,
  role: ProviderRole,
  kind: FaultKind,
  random: () => number,
): Promise<FaultOutcome> {
  try {
    if (kind === 'daemon killed') await world.restartDaemon(role)
    else if (kind === 'enclave runtime killed') await killEnclaveRuntime(world, role)
    else if (kind === 'RPC down') {
      await world.rpc[role].outage.down()
      await sleep(1_000 + random() * 2_000)
      await world.rpc[role].outage.up()
    } else if (kind === 'chain node restarted') {
      // One node under everyone: restarts are taken one at a time.
      const previous = restartingChain.catch(() => {})
      restartingChain = previous.then(() => world.restartChain())
      await restartingChain
    } else world.rpc[role].dropping.dropNext(1 + Math.floor(random() * 4))
    await backAtWork(world, role)
    return { kind, provider: role, survived: true }
  } catch (error) {
    const last = world
      .eventsOf(role)
      .slice(-4)
      .map((event) => JSON.stringify(event))
    return {
      kind,
      provider: role,
      survived: false,
      error: `${(error as Error).message}; the daemon's last events: ${last.join(' ')}`,
    }
  }
}

/** Kills the runtime of the role's current enclave; resolves once a new enclave is registered. */
async function killEnclaveRuntime(world: DaemonWorld, role: ProviderRole): Promise<void> {
  const old = world.enclaveOf(role)
  const hostPid = [...world.eventsOf(role)]
    .reverse()
    .flatMap((event) =>
      event.event === 'enclave-started' || event.event === 'enclave-reattached'
        ? [event.hostPid]
        : [],
    )[0]
  if (!hostPid) throw new Error('no enclave host to kill')
  // Customers turn to the other provider until this one has a new enclave.
  world.unavailable.add(role)
  try {
    for (const pid of childPids(hostPid)) process.kill(pid, 'SIGKILL')
    const giveUpAt = Date.now() + 120_000
    while (world.enclaveOf(role) === old) {
      if (Date.now() > giveUpAt) throw new Error('the daemon registered no new enclave')
      await sleep(200)
    }
  } finally {
    world.unavailable.delete(role)
  }
}

/** The daemon process is alive and its `/health` answers ok again (within a minute). */
async function backAtWork(world: DaemonWorld, role: ProviderRole): Promise<void> {
  const giveUpAt = Date.now() + 60_000
  let last = 'no answer'
  while (Date.now() < giveUpAt) {
    const run = world.runs[role]
    if (run.process.exitCode !== null || run.process.signalCode !== null)
      throw new Error(
        `the ${role} daemon exited (code ${run.process.exitCode}, signal ${run.process.signalCode})`,
      )
    const response = await fetch(`${run.metricsUrl}/health`).catch(() => undefined)
    if (response?.ok) return
    last = response ? await response.text() : 'no answer'
    await sleep(200)
  }
  throw new Error(`the ${role} daemon is not healthy again: ${last}`)
}

/** With BOCC_ADVERSARIAL_PROGRESS=FILE, one line per fault as it happens, to watch a long run. */
export function progress(line: string): void {
  const file = process.env.BOCC_ADVERSARIAL_PROGRESS
  if (file) appendFileSync(file, `${new Date().toISOString()} ${line}\n`)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
