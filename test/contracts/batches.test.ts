import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseEther, toHex } from 'viem'
import { acceptOrders } from '../../src/chain/actions/market/acceptOrders.ts'
import type { BatchOutcome } from '../../src/chain/actions/market/batchOutcome.ts'
import { submitFailures } from '../../src/chain/actions/market/submitFailures.ts'
import { submitReceipts } from '../../src/chain/actions/market/submitReceipts.ts'
import { orderIdOf, orderTotal } from '../../src/protocol/orderTerms.ts'
import { label } from '../support/protocolHarness.ts'
import { exposureOf, type Market, type Order, startMarket, teePrice } from './marketFixture.ts'

/**
 * Batch calls act on every order they can and skip the others with `OrderSkipped`, whose reason
 * is the custom error the single call would revert with: one bad order never blocks the rest.
 */
describe('batches skip the orders they cannot act on', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  /** The skipped orders of a batch as [orderId, error name, error arguments]. */
  const skips = (outcome: BatchOutcome) =>
    outcome.skipped.map((skip) => [skip.orderId, skip.errorName, skip.args])

  it('acceptOrders skips orders in the wrong state, of no order, of another provider, or over capacity', async () => {
    const { h } = m
    const { provider, customer, stranger } = m.dev.signers
    const offer = await m.newTeeOffer(provider, teePrice, 3)
    const order = () => m.create({ teeOfferId: offer })
    const [already, first, cancelled, second, overCapacity] = [
      await order(),
      await order(),
      await order(),
      await order(),
      await order(),
    ]
    if (!already || !first || !cancelled || !second || !overCapacity) throw new Error('unreachable')
    await h.send(provider, 'acceptOrder', [already.terms])
    await h.send(customer, 'cancelOrder', [cancelled.terms])
    const unknown = { ...first.terms, requestHash: label('no such order') }
    const outcome = await acceptOrders(provider, {
      terms: [
        first.terms,
        already.terms,
        cancelled.terms,
        unknown,
        second.terms,
        overCapacity.terms,
      ],
    })
    assert.deepEqual(outcome.done, [first.orderId, second.orderId])
    assert.deepEqual(skips(outcome), [
      [already.orderId, 'WrongOrderStatus', [already.orderId, 2]],
      [cancelled.orderId, 'WrongOrderStatus', [cancelled.orderId, 5]],
      [orderIdOf(unknown), 'OrderNotFound', [orderIdOf(unknown)]],
      [overCapacity.orderId, 'OfferAtCapacity', [offer]],
    ])
    assert.equal(await m.status(overCapacity.orderId), 'created')
    // Someone else's batch of the provider's orders accepts none of them.
    const foreign = await acceptOrders(stranger, { terms: [overCapacity.terms] })
    assert.deepEqual(skips(foreign), [
      [overCapacity.orderId, 'NotOrderProvider', [overCapacity.orderId, stranger.account.address]],
    ])
    for (const done of [already, first, second]) await m.deliver(done)
  })

  it('a batch of accepts takes each offer’s capacity and each provider’s stake as single accepts would, offers interleaved', async () => {
    const { h } = m
    const { provider, councilA } = m.dev.signers
    const activeOrders = async (offer: number) =>
      (await h.read<{ activeOrders: number }>('getTeeOffer', [offer])).activeOrders
    // Capacity: the batch leaves offer A's run and comes back to it, then overfills it.
    const offerA = await m.newTeeOffer(provider, teePrice, 2)
    const offerB = await m.newTeeOffer(provider, teePrice, 5)
    const [a1, b1, a2, a3, b2] = [
      await m.create({ teeOfferId: offerA }),
      await m.create({ teeOfferId: offerB }),
      await m.create({ teeOfferId: offerA }),
      await m.create({ teeOfferId: offerA }),
      await m.create({ teeOfferId: offerB }),
    ]
    if (!a1 || !b1 || !a2 || !a3 || !b2) throw new Error('unreachable')
    const lockedBefore = (await m.stakeOf()).locked
    const outcome = await acceptOrders(provider, {
      terms: [a1.terms, b1.terms, a2.terms, a3.terms, b2.terms],
    })
    assert.deepEqual(outcome.done, [a1.orderId, b1.orderId, a2.orderId, b2.orderId])
    assert.deepEqual(skips(outcome), [[a3.orderId, 'OfferAtCapacity', [offerA]]])
    assert.deepEqual([await activeOrders(offerA), await activeOrders(offerB)], [2, 2])
    const locked = (picked: Order[]) => picked.reduce((sum, order) => sum + exposureOf(order), 0n)
    assert.equal((await m.stakeOf()).locked, lockedBefore + locked([a1, b1, a2, b2]))
    // Stake: a provider with the minimum stake can lock two of these orders, not three.
    await h.approve(councilA, parseEther('1000'))
    await h.send(councilA, 'stake', [parseEther('100')])
    const enclave = await m.registeredEnclave(councilA)
    const dear = await m.newTeeOffer(councilA, parseEther('90'))
    const dearOrder = () => m.create({ teeOfferId: dear, enclave: enclave.address })
    const [c1, c2, c3] = [await dearOrder(), await dearOrder(), await dearOrder()]
    if (!c1 || !c2 || !c3) throw new Error('unreachable')
    const staked = await acceptOrders(councilA, { terms: [c1.terms, c2.terms, c3.terms] })
    assert.deepEqual(staked.done, [c1.orderId, c2.orderId])
    const unlocked = parseEther('100') - locked([c1, c2])
    assert.deepEqual(skips(staked), [
      [c3.orderId, 'InsufficientStake', [councilA.account.address, unlocked, exposureOf(c3)]],
    ])
    assert.equal((await m.stakeOf(councilA.account.address)).locked, locked([c1, c2]))
    assert.equal(await activeOrders(dear), 2)
    for (const done of [a1, b1, a2, b2]) await m.deliver(done)
    for (const done of [c1, c2]) await m.deliver(done, { key: enclave })
  })

  it('submitReceipts completes the good receipts and skips a bad signature, a wrong state and a repeat', async () => {
    const { h } = m
    const [good, forged, other] = [await m.accepted(), await m.accepted(), await m.accepted()]
    const created = await m.create()
    if (!good || !forged || !other) throw new Error('unreachable')
    const impostor = (await h.newEnclave(m.dev.signers.provider)).key
    const receipts = [
      await m.receiptFor(good),
      await m.receiptFor(forged, { key: impostor }),
      await m.receiptFor(created),
      await m.receiptFor(other),
      // The same receipt again in the same batch: paid once.
      await m.receiptFor(good),
    ]
    const providerOwed = await m.owed(m.dev.signers.provider.account.address)
    const outcome = await submitReceipts(m.dev.signers.stranger, { receipts })
    assert.deepEqual(outcome.done, [good.orderId, other.orderId])
    assert.deepEqual(
      skips(outcome).map(([orderId, errorName]) => [orderId, errorName]),
      [
        [forged.orderId, 'InvalidEnclaveSignature'],
        [created.orderId, 'WrongOrderStatus'],
        [good.orderId, 'WrongOrderStatus'],
      ],
    )
    assert.deepEqual(outcome.skipped[0]?.args, [impostor.address, m.enclave.address])
    assert.equal(
      await m.owed(m.dev.signers.provider.account.address),
      providerOwed + good.terms.teePrice + other.terms.teePrice,
    )
    assert.equal(await m.status(forged.orderId), 'accepted')
    await m.deliver(forged)
  })

  it('submitFailures refunds the good failures and skips reason 0, a bad signature and a finished order', async () => {
    const { h } = m
    const [good, noReason, forged, good2] = [
      await m.accepted(),
      await m.accepted(),
      await m.accepted(),
      await m.accepted(),
    ]
    if (!good || !noReason || !forged || !good2) throw new Error('unreachable')
    const finished = await m.accepted()
    await m.deliver(finished)
    const failures = [
      { terms: good.terms, reason: 4, signature: await h.signFailure(m.enclave, good.orderId, 4) },
      {
        terms: noReason.terms,
        reason: 0,
        signature: await h.signFailure(m.enclave, noReason.orderId, 0),
      },
      { terms: forged.terms, reason: 1, signature: toHex(new Uint8Array(65).fill(7)) },
      {
        terms: finished.terms,
        reason: 1,
        signature: await h.signFailure(m.enclave, finished.orderId, 1),
      },
      {
        terms: good2.terms,
        reason: 8,
        signature: await h.signFailure(m.enclave, good2.orderId, 8),
      },
    ]
    const customer = m.dev.signers.customer.account.address
    const before = await h.balance(customer)
    const outcome = await submitFailures(m.dev.signers.stranger, { failures })
    assert.deepEqual(outcome.done, [good.orderId, good2.orderId])
    assert.deepEqual(
      skips(outcome).map(([orderId, errorName]) => [orderId, errorName]),
      [
        [noReason.orderId, 'InvalidFailureReason'],
        [forged.orderId, 'InvalidEnclaveSignature'],
        [finished.orderId, 'WrongOrderStatus'],
      ],
    )
    assert.equal(
      await h.balance(customer),
      before + orderTotal(good.terms) + orderTotal(good2.terms),
    )
    for (const open of [noReason, forged]) await m.deliver(open)
  })

  it('a batch of receipts credits every payee what single receipts would, past the payees it sums', async () => {
    const { h } = m
    // Seven vendors, the provider and the fee receiver: more payees than a batch sums in memory.
    const vendors = [
      'modelVendor',
      'stranger',
      'dataVendor',
      'councilA',
      'councilB',
      'councilC',
      'committeeMember',
    ] as const
    const orders: Order[] = []
    for (const [i, vendor] of vendors.entries()) {
      const solutionOfferId = await m.newSolutionOffer(
        `batch model ${i}`,
        BigInt(i + 1) * 10n ** 15n,
        {},
        m.dev.signers[vendor],
      )
      orders.push(await m.accepted({ solutionOfferId, solutionHash: label(`batch model ${i}`) }))
    }
    const feeReceiver = await h.read<`0x${string}`>('feeReceiver')
    const provider = m.dev.signers.provider.account.address
    const payees = [provider, feeReceiver, ...vendors.map((v) => m.dev.signers[v].account.address)]
    const owedBefore = await Promise.all(payees.map((payee) => m.owed(payee)))
    const outcome = await submitReceipts(m.dev.signers.stranger, {
      receipts: await Promise.all(orders.map((order) => m.receiptFor(order))),
    })
    assert.deepEqual(
      outcome.done,
      orders.map((order) => order.orderId),
    )
    const sum = (pick: (order: Order) => bigint) =>
      orders.reduce((total, order) => total + pick(order), 0n)
    const expected = [
      sum((order) => order.terms.teePrice),
      sum((order) => order.terms.fee),
      ...orders.map((order) => order.terms.solutionPrice),
    ]
    for (const [i, payee] of payees.entries())
      assert.equal(await m.owed(payee), (owedBefore[i] ?? 0n) + (expected[i] ?? 0n), payee)
  })

  it('a batch of receipts gives back each offer’s capacity and each provider’s lock, offers interleaved', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    // A second provider with its own enclave and offer, so the batch moves between providers too.
    await h.approve(stranger, parseEther('1000'))
    await h.send(stranger, 'stake', [parseEther('300')])
    const otherEnclave = await m.registeredEnclave(stranger)
    const otherOffer = await m.newTeeOffer(stranger, teePrice, 5)
    const ownOffer = await m.newTeeOffer(provider, teePrice, 5)
    const own = () => m.accepted({ teeOfferId: ownOffer })
    const other = () =>
      m.accepted({ teeOfferId: otherOffer, enclave: otherEnclave.address }, stranger)
    const orders = [await own(), await other(), await own(), await other(), await own()]
    const [a1, b1, a2, b2, a3] = orders
    if (!a1 || !b1 || !a2 || !b2 || !a3) throw new Error('unreachable')
    const activeOrders = async (offer: number) =>
      (await h.read<{ activeOrders: number }>('getTeeOffer', [offer])).activeOrders
    assert.deepEqual([await activeOrders(ownOffer), await activeOrders(otherOffer)], [3, 2])
    const lockedBefore = [
      (await m.stakeOf()).locked,
      (await m.stakeOf(stranger.account.address)).locked,
    ]
    const receipts = await Promise.all([
      m.receiptFor(a1),
      m.receiptFor(b1, { key: otherEnclave }),
      m.receiptFor(a2),
      m.receiptFor(b2, { key: otherEnclave }),
    ])
    // The last receipt's signature is not its enclave's: skipped, its capacity and lock stay.
    const forged = { ...(await m.receiptFor(a3)), signature: receipts[0]?.signature ?? '0x' }
    const outcome = await submitReceipts(m.dev.signers.customer, {
      receipts: [...receipts, forged],
    })
    assert.deepEqual(
      outcome.done,
      orders.slice(0, 4).map((order) => order.orderId),
    )
    assert.deepEqual([await activeOrders(ownOffer), await activeOrders(otherOffer)], [1, 0])
    const released = (picked: Order[]) => picked.reduce((sum, order) => sum + exposureOf(order), 0n)
    assert.equal((await m.stakeOf()).locked, (lockedBefore[0] ?? 0n) - released([a1, a2]))
    assert.equal(
      (await m.stakeOf(stranger.account.address)).locked,
      (lockedBefore[1] ?? 0n) - released([b1, b2]),
    )
    await m.deliver(a3)
    assert.equal(await activeOrders(ownOffer), 0)
  })

  it('a batch asks the registry about every enclave it meets, not only the first', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const revoked = await m.registeredEnclave(provider)
    const [first, onRevoked, last] = [
      await m.accepted(),
      await m.accepted({ enclave: revoked.address }),
      await m.accepted(),
    ]
    if (!first || !onRevoked || !last) throw new Error('unreachable')
    const onRevokedToo = await m.accepted({ enclave: revoked.address })
    await h.send(provider, 'revokeEnclave', [revoked.address])
    const outcome = await submitReceipts(provider, {
      receipts: [
        await m.receiptFor(first),
        await m.receiptFor(onRevoked, { key: revoked }),
        await m.receiptFor(last),
        await m.receiptFor(onRevokedToo, { key: revoked }),
      ],
    })
    assert.deepEqual(outcome.done, [first.orderId, last.orderId])
    assert.deepEqual(skips(outcome), [
      [onRevoked.orderId, 'EnclaveNotUsable', [revoked.address]],
      [onRevokedToo.orderId, 'EnclaveNotUsable', [revoked.address]],
    ])
  })

  it('a batch of which every order is skipped still succeeds and changes nothing', async () => {
    const order = await m.accepted()
    await m.deliver(order)
    const owed = await m.owed(m.dev.signers.provider.account.address)
    const outcome = await submitReceipts(m.dev.signers.provider, {
      receipts: [await m.receiptFor(order), await m.receiptFor(order)],
    })
    assert.deepEqual(outcome.done, [])
    assert.equal(outcome.skipped.length, 2)
    assert.equal(await m.owed(m.dev.signers.provider.account.address), owed)
  })
})
