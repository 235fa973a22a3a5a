import type { DevRole } from '../../src/chain/devAccounts.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import {
  type DaemonWorld,
  type ProviderRole,
  providerRoles,
  type TrackedOrder,
} from './daemonWorld.ts'

/**
 * Customers ordering as real clients do: each keeps at most `window` orders open, picks the
 * provider whose turn it is (skipping one the world marks unavailable), and goes on until
 * `total` orders are placed between them, or `until` says stop. Resolves with the orders placed.
 */
export async function orderContinuously(
  world: DaemonWorld,
  parameters: {
    customers: readonly DevRole[]
    total: number
    window: number
    acceptWithinSeconds: number
    deliverWithinSeconds: number
    /** Keep ordering past `total` while this says so. */
    until?: () => boolean
  },
): Promise<TrackedOrder[]> {
  const placed: TrackedOrder[] = []
  let next = 0
  const more = () => next < parameters.total || (parameters.until?.() ?? false)
  await Promise.all(
    parameters.customers.map(async (customer, index) => {
      const open = new Set<Promise<unknown>>()
      let turn = index
      while (more()) {
        next++
        let role: ProviderRole = providerRoles[turn++ % providerRoles.length] as ProviderRole
        if (world.unavailable.has(role))
          role = providerRoles.find((other) => !world.unavailable.has(other)) ?? role
        const order = await placeWithRetry(world, customer, role, parameters)
        placed.push(order)
        const ended = waitUntilEnded(world, order).finally(() => open.delete(ended))
        open.add(ended)
        if (open.size >= parameters.window) await Promise.race(open)
      }
      await Promise.all(open)
    }),
  )
  return placed
}

/** An RPC that drops a request fails that request: the customer tries again, as a client would. */
async function placeWithRetry(
  world: DaemonWorld,
  customer: DevRole,
  role: ProviderRole,
  options: { acceptWithinSeconds: number; deliverWithinSeconds: number },
): Promise<TrackedOrder> {
  for (let attempt = 1; ; attempt++)
    try {
      return await world.order(customer, role, options)
    } catch (error) {
      if (attempt >= 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt))
    }
}

/**
 * Resolves once the order is completed or ended by the rules (polling the chain), or its provider
 * refused it (it is refunded once its acceptBy passes; the customer does not wait for that).
 */
async function waitUntilEnded(world: DaemonWorld, order: TrackedOrder): Promise<void> {
  const id = formatOrderId(order.orderId)
  const giveUpAt = Date.now() + (order.terms.deadline - Math.floor(Date.now() / 1000) + 60) * 1000
  while (Date.now() < giveUpAt) {
    const status = await world.status(order).catch(() => 'accepted' as const)
    if (status !== 'created' && status !== 'accepted') return
    if (world.unavailable.has(order.provider)) return
    if (
      status === 'created' &&
      world
        .eventsOf(order.provider)
        .some((event) => event.event === 'order-refused' && event.orderId === id)
    )
      return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
