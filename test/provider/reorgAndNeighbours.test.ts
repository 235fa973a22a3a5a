import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Hex, parseEther } from 'viem'
import { acceptOrders } from '../../src/chain/actions/market/acceptOrders.ts'
import { getOrderState } from '../../src/chain/actions/market/getOrderState.ts'
import type { PlacedOrder } from '../../src/client/placeOrder.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import type { ProviderEvent } from '../../src/provider/providerEvents.ts'
import {
  type DaemonRun,
  type ProviderTestbed,
  startProviderTestbed,
} from './support/providerTestbed.ts'

/**
 * Two providers' daemons on one chain, one of them waiting for 3 confirmations: each serves
 * only the orders for its own enclaves; an order whose block a reorg removed before it was
 * confirmed is never run, and when the same order comes back in a new block it is served.
 */
describe('provider daemons on a reorganising chain', () => {
  let bed: ProviderTestbed
  let careful: DaemonRun
  let eager: DaemonRun
  let eagerConfig: string
  let mining: NodeJS.Timeout | undefined
  const orders: PlacedOrder[] = []

  /** Blocks keep coming (as on a live chain), so confirmations accrue. */
  const startMining = () => {
    mining = setInterval(() => void bed.testClient.mine({ blocks: 1 }).catch(() => {}), 200)
  }
  const stopMining = () => clearInterval(mining)

  before(async () => {
    bed = await startProviderTestbed()
    careful = await bed.startDaemon(await bed.writeConfig('provider', { confirmations: 3 }))
    eagerConfig = await bed.writeConfig('stranger', {
      offer: { price: parseEther('3').toString(), capacity: 2 },
      enclave: { validitySeconds: 900, renewBeforeSeconds: 300, orphanSeconds: 30 },
    })
    eager = await bed.startDaemon(eagerConfig)
    startMining()
  })
  after(async () => {
    stopMining()
    await bed?.stop()
  })

  it('lets each provider serve only the orders for its own enclaves', async () => {
    const customer = bed.dev.signers.customer
    const [toCareful, toEager] = await Promise.all([
      bed.verify(customer, careful.enclave),
      bed.verify(bed.dev.signers.modelVendor, eager.enclave),
    ])
    const placed = await Promise.all([
      bed.order(customer, toCareful, careful.offerId),
      bed.order(bed.dev.signers.modelVendor, toEager, eager.offerId),
      bed.order(customer, toCareful, careful.offerId),
      bed.order(bed.dev.signers.modelVendor, toEager, eager.offerId),
    ])
    orders.push(...placed)
    for (const order of placed) await bed.waitForStatus(order.orderId, ['completed'])
    const ran = (run: DaemonRun) =>
      run.events.flatMap((event) => (event.event === 'job-started' ? [event.orderId] : []))
    const ids = placed.map((order) => formatOrderId(order.orderId))
    assert.deepEqual(ran(careful).sort(), [ids[0], ids[2]].sort())
    assert.deepEqual(ran(eager).sort(), [ids[1], ids[3]].sort())
    const { held, accounted } = await bed.tokenTotals(orders)
    assert.equal(accounted, held)
  })

  it('never runs an order that a reorg took out before it was confirmed, and serves it when it comes back', async () => {
    const customer = bed.dev.signers.customer
    const enclave = await bed.verify(customer, careful.enclave)
    stopMining()
    const snapshot = await bed.testClient.snapshot()
    // Blocks the daemon has scanned are replaced too: it must notice and scan again.
    await bed.testClient.mine({ blocks: 4 })
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const client = bed.dev.signers.deployer.publicClient
    const before = await client.getBlockNumber({ cacheTime: 0 })
    const placed = await bed.order(customer, enclave, careful.offerId)
    await bed.testClient.mine({ blocks: 1 })
    // The customer's transactions (allowance, order), to send again after the reorg.
    const raw: Hex[] = []
    for (let number = before + 1n; number <= placed.blockNumber; number++)
      for (const transaction of (
        await client.getBlock({ blockNumber: number, includeTransactions: true })
      ).transactions)
        if (transaction.from === customer.account.address.toLowerCase())
          raw.push(
            (await client.request({
              method: 'eth_getRawTransactionByHash' as never,
              params: [transaction.hash] as never,
            })) as Hex,
          )
    // The blocks with the order are replaced by others without it.
    await bed.testClient.revert({ id: snapshot })
    startMining()
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    assert.equal(
      (await getOrderState(bed.dev.signers.deployer, { orderId: placed.orderId })).status,
      'none',
    )
    const id = formatOrderId(placed.orderId)
    assert.ok(
      !careful.events.some(
        (event) =>
          (event.event === 'orders-accepted' && event.orderIds.includes(id)) ||
          (event.event === 'job-started' && event.orderId === id),
      ),
      'the daemon did not act on the reorged-out order',
    )
    assert.ok(
      careful.events.some(
        (event) => event.event === 'warning' && event.message.includes('reorganised'),
      ),
      'the daemon noticed the reorg',
    )
    // The same transactions land again, in new blocks: the order is back, and served.
    for (const transaction of raw)
      await client.request({ method: 'eth_sendRawTransaction', params: [transaction] })
    orders.push(placed)
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'completed')
    const { held, accounted } = await bed.tokenTotals(orders)
    assert.equal(accounted, held)
  })

  it('never reveals a stored receipt for an order a reorg took away after its acceptance', async () => {
    const customer = bed.dev.signers.modelVendor
    const enclave = await bed.verify(customer, eager.enclave)
    await eager.kill9()
    // This daemon accepts and runs the order, stores the receipt, and dies before sending it.
    const crashing = await bed.startDaemon(eagerConfig, {
      BOCC_PROVIDER_TEST_CRASH_AT: 'after-job',
    })
    stopMining()
    const snapshot = await bed.testClient.snapshot()
    const placed = await bed.order(customer, enclave, crashing.offerId)
    assert.equal((await crashing.exited).signal, 'SIGKILL')
    // The order and its acceptance are gone from the chain (and so are the customer's nonces).
    await bed.testClient.revert({ id: snapshot })
    customer.account.nonceManager?.reset({
      address: customer.account.address,
      chainId: bed.dev.deployment.chainId,
    })
    startMining()
    eager = await bed.startDaemon(eagerConfig)
    const id = formatOrderId(placed.orderId)
    await eager.waitFor((event) => event.event === 'warning' && event.message.includes(id), {
      past: true,
    })
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    assert.ok(
      !eager.events.some((event) => event.event === 'receipts-accepted'),
      'no receipt was sent: the result key sealed to the customer stays unrevealed',
    )
    assert.equal(
      (await getOrderState(bed.dev.signers.deployer, { orderId: placed.orderId })).status,
      'none',
    )
    const { held, accounted } = await bed.tokenTotals(orders)
    assert.equal(accounted, held)
  })

  it('sends its receipt again when a reorg takes the receipt out and the order is accepted again', async () => {
    const customer = bed.dev.signers.modelVendor
    const enclave = await bed.verify(customer, eager.enclave)
    await eager.kill9()
    // This daemon accepts and runs the order, stores the receipt, and dies before sending it.
    const crashing = await bed.startDaemon(eagerConfig, {
      BOCC_PROVIDER_TEST_CRASH_AT: 'after-job',
    })
    const placed = await bed.order(customer, enclave, crashing.offerId)
    orders.push(placed)
    assert.equal((await crashing.exited).signal, 'SIGKILL')
    const status = async () =>
      (await getOrderState(bed.dev.signers.deployer, { orderId: placed.orderId })).status
    assert.equal(await status(), 'accepted')
    // The chain with the order accepted and no receipt yet: what the reorg goes back to.
    stopMining()
    const snapshot = await bed.testClient.snapshot()
    const acceptedAt = await bed.dev.signers.deployer.publicClient.getBlockNumber({ cacheTime: 0 })
    eager = await bed.startDaemon(eagerConfig)
    const id = formatOrderId(placed.orderId)
    const receiptAccepted = (event: ProviderEvent) =>
      event.event === 'receipts-accepted' && event.orderIds.includes(id)
    await eager.waitFor(receiptAccepted, { past: true })
    assert.equal(await status(), 'completed')
    // The daemon takes in blocks after the receipt, so the reorg replaces blocks it has seen.
    startMining()
    await waitUntilScanned(eager, acceptedAt + 2n)
    stopMining()
    const sentAgain = eager.waitFor(receiptAccepted)
    // A deep reorg: every block from the receipt on is replaced by others without it.
    await bed.testClient.revert({ id: snapshot })
    assert.equal(await status(), 'accepted')
    startMining()
    await sentAgain
    assert.ok(
      eager.events.some(
        (event) =>
          event.event === 'warning' &&
          event.message.includes(`order ${id} is accepted again: a reorg undid its receipt`),
      ),
      'the daemon said why it sent the receipt again',
    )
    assert.equal(await status(), 'completed')
    const { held, accounted } = await bed.tokenTotals(orders)
    assert.equal(accounted, held)
  })

  it('runs an order the chain shows accepted by its account before it took the order in', async () => {
    const customer = bed.dev.signers.modelVendor
    const enclave = await bed.verify(customer, eager.enclave)
    await eager.kill9()
    const placed = await bed.order(customer, enclave, eager.offerId)
    orders.push(placed)
    // What a reorg that brings the order back together with its acceptance leaves (or a state
    // restored from an older backup): the daemon first sees the order already accepted.
    const accepted = await acceptOrders(bed.dev.signers.stranger, { terms: [placed.terms] })
    assert.deepEqual(accepted.done, [placed.orderId])
    eager = await bed.startDaemon(eagerConfig)
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'completed')
    const { held, accounted } = await bed.tokenTotals(orders)
    assert.equal(accounted, held)
  })

  it('registers a new enclave before the current one expires, and retires the old one', async () => {
    const old = eager.enclave
    await bed.dev.increaseTime(650)
    const renewed = await eager.waitFor(
      (event) => event.event === 'enclave-registered' && event.enclave !== old,
    )
    await bed.dev.increaseTime(300)
    await eager.waitFor((event) => event.event === 'enclave-retired' && event.enclave === old)
    const enclave = await bed.verify(
      bed.dev.signers.modelVendor,
      (renewed as { enclave: `0x${string}` }).enclave,
    )
    // Its registration has 600 s left: the order must end before.
    const placed = await bed.order(bed.dev.signers.modelVendor, enclave, eager.offerId, {
      deliverWithinSeconds: 300,
    })
    orders.push(placed)
    assert.equal(await bed.waitForStatus(placed.orderId, ['completed', 'handedBack']), 'completed')
    const { held, accounted } = await bed.tokenTotals(orders)
    assert.equal(accounted, held)
  })
})

/** Waits until the daemon's health says it has taken in the blocks up to `block`. */
async function waitUntilScanned(run: DaemonRun, block: bigint): Promise<void> {
  // A guard against a hang, not an expectation of speed.
  const giveUpAt = Date.now() + 240_000
  for (;;) {
    const health = (await (await fetch(`${run.metricsUrl}/health`)).json()) as {
      scannedBlock: string
    }
    if (health.scannedBlock !== '' && BigInt(health.scannedBlock) >= block) return
    if (Date.now() > giveUpAt) throw new Error(`the daemon never took in block ${block}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
