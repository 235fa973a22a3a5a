import { type AttackOutcome, runAttacks, runAttacksConcurrently } from './attack.ts'
import {
  contractAttacks,
  failureAttacks,
  hostAttacks,
  lateAttacks,
  waitingAttacks,
} from './attacks/index.ts'
import { startContractWorld } from './contractWorld.ts'
import { customerRoles, startDaemonWorld, type TrackedOrder } from './daemonWorld.ts'
import { type FaultOutcome, faultKinds, progress, runFaults } from './faults.ts'
import { orderContinuously } from './ordering.ts'

/** How much the suite does: `npm run test:adversarial` sets the full size, `npm test` a small one. */
export type SuiteSize = { faults: number; faultOrders: number; loadOrders: number }

/** BOCC_ADVERSARIAL_FAULTS, BOCC_ADVERSARIAL_FAULT_ORDERS, BOCC_ADVERSARIAL_LOAD_ORDERS. */
export function suiteSizeFromEnvironment(environment = process.env): SuiteSize {
  const count = (name: string, fallback: number) => {
    const value = environment[name]
    if (value === undefined) return fallback
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not ${value}`)
    return Number(value)
  }
  return {
    faults: count('BOCC_ADVERSARIAL_FAULTS', 5),
    faultOrders: count('BOCC_ADVERSARIAL_FAULT_ORDERS', 24),
    loadOrders: count('BOCC_ADVERSARIAL_LOAD_ORDERS', 24),
  }
}

export type SuiteReport = {
  attacks: AttackOutcome[]
  faults: FaultOutcome[]
  /** Orders of the faults and load phases, by how they ended. */
  orders: { placed: number; completed: number; endedOtherwise: number; lost: number }
  /** Orders the attacks themselves made, and how many were left open. */
  attackOrders: { placed: number; lost: number }
  tokensUnaccounted: bigint
  seconds: { attacks: number; faults: number; load: number; total: number }
}

/**
 * Runs the whole suite: the contract attacks on their own chain, the attacks on two live provider
 * daemons, then faults while customers order, then load; ends every open order by the rules and
 * accounts for every token on both chains.
 */
export async function runAdversarialSuite(size: SuiteSize): Promise<SuiteReport> {
  const started = performance.now()
  const contracts = await startContractWorld()
  let attacks: AttackOutcome[]
  let contractLost: number
  let unaccounted = 0n
  try {
    attacks = await runAttacks(contracts, contractAttacks)
    await contracts.settle()
    contractLost = (await contracts.open()).length
    const ledger = await contracts.ledger()
    unaccounted += difference(ledger.held, ledger.accounted)
  } finally {
    await contracts.stop()
  }
  const contractOrders = contracts.orders.length

  const world = await startDaemonWorld()
  try {
    attacks.push(
      ...(await runAttacksConcurrently(world, [...waitingAttacks, ...failureAttacks])),
      ...(await runAttacks(world, hostAttacks)),
    )
    const attackOrders = world.orders.length
    const attacksDone = performance.now()
    progress(
      `attacks done: ${attacks.filter((attack) => attack.stopped).length} of ${attacks.length} stopped`,
    )

    const faulted = await runFaults(world, {
      orders: size.faultOrders,
      faults: size.faults,
      random: Math.random,
    })
    const faultsDone = performance.now()
    progress(`faults done: ${faulted.orders.length} orders placed meanwhile`)
    const loaded = await orderContinuously(world, {
      customers: customerRoles,
      total: size.loadOrders,
      window: 4,
      acceptWithinSeconds: 900,
      deliverWithinSeconds: 900,
    })
    const loadDone = performance.now()
    progress(`load done: ${loaded.length} orders`)

    const stuck = await world.settle(180_000)
    attacks.push(...(await runAttacks(world, lateAttacks)))
    const ledger = await world.ledger()
    unaccounted += difference(ledger.held, ledger.accounted)
    const measured = [...faulted.orders, ...loaded]
    const statuses = await Promise.all(measured.map((order) => world.status(order)))
    const stuckIds = new Set(stuck.map((order) => order.orderId))
    const completed = statuses.filter((status) => status === 'completed').length
    const lost = measured.filter((order) => stuckIds.has(order.orderId)).length
    return {
      attacks,
      faults: faulted.faults,
      orders: {
        placed: measured.length,
        completed,
        endedOtherwise: measured.length - completed - lost,
        lost,
      },
      attackOrders: {
        placed: contractOrders + attackOrders,
        lost:
          contractLost + stuck.filter((order) => !measured.includes(order as TrackedOrder)).length,
      },
      tokensUnaccounted: unaccounted,
      seconds: {
        attacks: (attacksDone - started) / 1000,
        faults: (faultsDone - attacksDone) / 1000,
        load: (loadDone - faultsDone) / 1000,
        total: (performance.now() - started) / 1000,
      },
    }
  } finally {
    await world.stop()
  }
}

const difference = (a: bigint, b: bigint) => (a > b ? a - b : b - a)

/** Distinct attacks (by id) tried and stopped: variants of one attack count once. */
export function attackCounts(attacks: AttackOutcome[]): { tried: number; stopped: number } {
  const ids = new Set(attacks.map((attack) => attack.id))
  const stopped = [...ids].filter((id) =>
    attacks.filter((attack) => attack.id === id).every((attack) => attack.stopped),
  )
  return { tried: ids.size, stopped: stopped.length }
}

/** The suite's last line, from what ran. */
export function summaryLine(report: SuiteReport): string {
  const { tried, stopped } = attackCounts(report.attacks)
  const survived = report.faults.filter((fault) => fault.survived).length
  const lost = report.orders.lost + report.attackOrders.lost
  return `attacks: ${tried} tried, ${stopped} stopped; faults: ${report.faults.length} injected, ${survived} survived; orders lost: ${lost}; tokens unaccounted: ${report.tokensUnaccounted}`
}

/** The table the suite prints: every attack, every kind of fault, the orders. */
export function reportTable(report: SuiteReport): string {
  const rows: string[][] = [['id', 'actor', 'attack', 'outcome', 's']]
  for (const attack of report.attacks)
    rows.push([
      attack.id,
      attack.actor,
      attack.title,
      attack.stopped ? 'stopped' : `GOT THROUGH: ${attack.error?.split('\n')[0]}`,
      attack.seconds.toFixed(1),
    ])
  rows.push(['', '', '', '', ''], ['', 'fault', '', 'injected / survived', ''])
  for (const kind of faultKinds) {
    const of = report.faults.filter((fault) => fault.kind === kind)
    rows.push(['', kind, '', `${of.length} / ${of.filter((fault) => fault.survived).length}`, ''])
  }
  const { placed, completed, endedOtherwise, lost } = report.orders
  const rate = placed === 0 ? 100 : (100 * completed) / placed
  rows.push(
    ['', '', '', '', ''],
    [
      'orders',
      '',
      'under faults and load',
      `${placed} placed, ${completed} completed (${rate.toFixed(1)} %), ${endedOtherwise} handed back or refunded, ${lost} lost`,
      '',
    ],
    [
      'orders',
      '',
      'made by the attacks',
      `${report.attackOrders.placed} placed, ${report.attackOrders.lost} left open`,
      '',
    ],
    [
      'time',
      '',
      'attacks / faults / load / total',
      `${report.seconds.attacks.toFixed(0)} / ${report.seconds.faults.toFixed(0)} / ${report.seconds.load.toFixed(0)} / ${report.seconds.total.toFixed(0)} s`,
      '',
    ],
  )
  const widths = rows[0]?.map((_, column) =>
    Math.min(column === 3 ? 110 : 72, Math.max(...rows.map((row) => (row[column] ?? '').length))),
  ) as number[]
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.slice(0, column === 3 ? 110 : 72).padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
