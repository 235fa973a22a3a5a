import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import { getOrderState } from '../../src/chain/actions/market/getOrderState.ts'
import { refundOrder } from '../../src/chain/actions/market/refundOrder.ts'
import type { PlacedOrder } from '../../src/client/placeOrder.ts'
import type { VerifiedEnclave } from '../../src/client/verifyEnclave.ts'
import {
  type DaemonRun,
  type ProviderTestbed,
  startProviderTestbed,
} from './support/providerTestbed.ts'

/**
 * The torture run: customers keep ordering while the provider daemon is killed with SIGKILL
 * at random moments and restarted at once. Size knobs: BOCC_TORTURE_ORDERS (default 8) and
 * BOCC_TORTURE_KILLS (default 3); `npm run test:torture` runs 100 orders and 20 kills. At the
 * end at least 95 % of the orders are completed, every other one ended by the rules (handed
 * back or refunded), and every token the market holds is accounted for.
 */
const orderCount = Number(process.env.BOCC_TORTURE_ORDERS ?? 8)
const killCount = Number(process.env.BOCC_TORTURE_KILLS ?? 3)

describe(`provider daemon torture: ${orderCount} orders, ${killCount} kills`, () => {
  let bed: ProviderTestbed
  let configFile: string

  before(async () => {
    bed = await startProviderTestbed()
    configFile = await bed.writeConfig('provider', {
      stake: parseEther('200').toString(),
      offer: { price: parseEther('1').toString(), capacity: 3 },
    })
  })
  after(() => bed?.stop())

  it('ends with at least 95 % of the orders completed and every token accounted for', async (t) => {
    const started = performance.now()
    let daemon: DaemonRun = await bed.startDaemon(configFile)
    const enclave = daemon.enclave
    const signers = bed.dev.signers
    const customers = [signers.customer, signers.stranger, signers.modelVendor, signers.dataVendor]
    const verified = await Promise.all(customers.map((customer) => bed.verify(customer, enclave)))
    const placed: PlacedOrder[] = []
    let next = 0
    const placing = Promise.all(
      customers.map(async (customer, index) => {
        while (next < orderCount) {
          next++
          placed.push(
            await bed.order(customer, verified[index] as VerifiedEnclave, daemon.offerId, {
              // A backlog of orders must wait its turn: a window a real customer would give.
              acceptWithinSeconds: 900,
              deliverWithinSeconds: 900,
            }),
          )
        }
      }),
    )
    let kills = 0
    const killing = (async () => {
      while (kills < killCount) {
        // Random moments, spread over the run.
        await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 5_000))
        await daemon.kill9()
        kills++
        daemon = await bed.startDaemon(configFile)
        assert.equal(daemon.enclave, enclave, 'the enclave outlives the daemon')
      }
    })()
    await Promise.all([placing, killing])

    const final = ['completed', 'handedBack', 'refunded', 'failed'] as const
    const statuses: string[] = []
    for (const order of placed)
      statuses.push(
        await bed
          .waitForStatus(order.orderId, [...final], 600_000)
          .catch(async () => (await getOrderState(signers.deployer, order)).status),
      )
    // Orders still waiting (none, when the daemon keeps up) are refunded after acceptBy.
    if (statuses.includes('created')) await bed.dev.increaseTime(910)
    for (const [index, status] of statuses.entries())
      if (status === 'created') {
        const order = placed[index] as PlacedOrder
        await refundOrder(signers.stranger, { terms: order.terms })
        statuses[index] = (await getOrderState(signers.deployer, order)).status
      }
    const completed = statuses.filter((status) => status === 'completed').length
    t.diagnostic(
      `${completed} of ${orderCount} completed, ${kills} kills, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    assert.equal(placed.length, orderCount)
    assert.ok(completed >= Math.floor(orderCount * 0.95), `only ${completed} completed`)
    for (const status of statuses) assert.ok((final as readonly string[]).includes(status))
    const { held, accounted } = await bed.tokenTotals(placed)
    assert.equal(accounted, held, 'every token the market holds is accounted for')
  })
})
