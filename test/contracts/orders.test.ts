import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Address, parseEther } from 'viem'
import { orderTotal } from '../../src/protocol/orderTerms.ts'
import { label } from '../support/protocolHarness.ts'
import {
  dataPrice,
  defaults,
  type Market,
  solutionPrice,
  startMarket,
  teePrice,
} from './marketFixture.ts'

describe('orders: creation, acceptance, cancel, refund, hand-back', () => {
  let m: Market
  let dataOfferId: number
  before(async () => {
    m = await startMarket()
    dataOfferId = await m.newDataOffer('dataset', dataPrice, {
      solutionOffers: [m.solutionOfferId],
      teeOffers: [m.teeOfferId],
    })
  })
  after(() => m.dev.stop())

  const addressOf = (role: keyof Market['dev']['signers']) => m.dev.signers[role].account.address

  it('escrows the prices plus the fee, and a receipt credits each payee exactly once, maturing', async () => {
    const { h } = m
    const payees: Address[] = [
      addressOf('provider'),
      addressOf('modelVendor'),
      addressOf('dataVendor'),
      m.dev.deployment.contracts.timelock,
    ]
    const owedBefore = await Promise.all(payees.map(m.owed))
    const availableBefore = await Promise.all(payees.map(h.balance))
    const customerBefore = await h.balance(addressOf('customer'))
    const order = await m.create({ dataOfferId })
    const { terms } = order
    assert.deepEqual(
      [terms.teePrice, terms.solutionPrice, terms.dataPrice, terms.dataHash],
      [teePrice, solutionPrice, dataPrice, label('dataset')],
    )
    assert.equal(terms.fee, ((teePrice + solutionPrice + dataPrice) * defaults.feeBps) / 10_000n)
    assert.deepEqual(
      [terms.customer, terms.solutionVendor, terms.dataVendor],
      [addressOf('customer'), addressOf('modelVendor'), addressOf('dataVendor')],
    )
    assert.equal(await h.balance(addressOf('customer')), customerBefore - orderTotal(terms))
    assert.equal(await m.status(order.orderId), 'created')
    await h.send(m.dev.signers.provider, 'acceptOrder', [terms])
    await m.deliver(order)
    assert.equal(await m.status(order.orderId), 'completed')
    const owedAfter = await Promise.all(payees.map(m.owed))
    assert.deepEqual(
      owedAfter.map((value, i) => value - (owedBefore[i] ?? 0n)),
      [teePrice, solutionPrice, dataPrice, terms.fee],
    )
    // Credited as maturing payouts: nothing more is available yet.
    assert.deepEqual(await Promise.all(payees.map(h.balance)), availableBefore)
    // Paid once only: every other way to end it is refused.
    const provider = m.dev.signers.provider
    await h.reverts(m.deliver(order), 'WrongOrderStatus')
    await h.reverts(h.send(m.dev.signers.customer, 'refundOrder', [terms]), 'WrongOrderStatus')
    await h.reverts(h.send(m.dev.signers.customer, 'cancelOrder', [terms]), 'WrongOrderStatus')
    await h.reverts(h.send(provider, 'handBackOrder', [terms]), 'WrongOrderStatus')
    await h.reverts(
      h.send(provider, 'submitFailure', [
        terms,
        1,
        await h.signFailure(m.enclave, order.orderId, 1),
      ]),
      'WrongOrderStatus',
    )
    assert.deepEqual(await Promise.all(payees.map(m.owed)), owedAfter)
  })

  it('pulls the shortfall from the wallet when the balance does not cover the escrow', async () => {
    const { h } = m
    const { stranger } = m.dev.signers
    await h.approve(stranger, parseEther('10'))
    const wallet = await h.tokenBalance(stranger.account.address)
    const order = await m.create({}, stranger)
    assert.equal(await h.balance(stranger.account.address), 0n)
    assert.equal(await h.tokenBalance(stranger.account.address), wallet - orderTotal(order.terms))
    await h.send(stranger, 'cancelOrder', [order.terms])
    assert.equal(await h.balance(stranger.account.address), orderTotal(order.terms))
  })

  it('refuses orders that break an offer’s rules or the market’s deadlines', async () => {
    const { h, create } = m
    const { modelVendor, dataVendor, provider, customer } = m.dev.signers
    await h.reverts(create({ teeOfferId: 999 }), 'TeeOfferNotFound')
    await h.reverts(create({ solutionOfferId: 999 }), 'OfferNotFound')
    await h.reverts(create({ dataOfferId: 999 }), 'OfferNotFound')
    await h.reverts(create({ solutionHash: label('another model') }), 'SolutionMismatch')
    await h.reverts(create({ maxPayment: teePrice }), 'PaymentAboveMaximum')
    await h.reverts(create({ enclave: addressOf('stranger') }), 'EnclaveNotUsable')
    const now = await h.now()
    await h.reverts(create({ acceptBy: now }), 'InvalidDeadlines')
    await h.reverts(create({ acceptBy: now + 100, deadline: now + 50 }), 'InvalidDeadlines')
    await h.reverts(create({ deadline: now + 86_400 + 10 }), 'InvalidDeadlines')
    // A data offer restricted to one solution refuses orders without it.
    await h.reverts(
      create({ dataOfferId, solutionOfferId: 0, solutionHash: label('own model') }),
      'SolutionOfferNotAllowed',
    )
    const tdxOnly = await m.newSolutionOffer('tdx model', 1n, { hardwareMask: 0b10 })
    await h.reverts(
      create({ solutionOfferId: tdxOnly, solutionHash: label('tdx model') }),
      'HardwareNotAllowedBySolution',
    )
    const pinned = await m.newSolutionOffer('pinned', 1n, {
      allowedTeeOffers: [m.teeOfferId + 1000],
    })
    await h.reverts(
      create({ solutionOfferId: pinned, solutionHash: label('pinned') }),
      'TeeOfferNotAllowed',
    )
    await h.send(modelVendor, 'setSolutionOfferActive', [pinned, false])
    await h.reverts(
      create({ solutionOfferId: pinned, solutionHash: label('pinned') }),
      'SolutionOfferNotActive',
    )
    await h.send(provider, 'setTeeOfferActive', [m.teeOfferId, false])
    await h.reverts(create(), 'TeeOfferNotActive')
    await h.send(provider, 'setTeeOfferActive', [m.teeOfferId, true])
    const elsewhereData = await m.newDataOffer('private data', 1n, {
      teeOffers: [m.teeOfferId + 1000],
    })
    await h.reverts(create({ dataOfferId: elsewhereData }), 'TeeOfferNotAllowed')
    await h.send(dataVendor, 'setDataOfferActive', [elsewhereData, false])
    await h.reverts(create({ dataOfferId: elsewhereData }), 'DataOfferNotActive')
    // The same terms twice are the same order.
    const twice = await m.params()
    await h.send(customer, 'createOrder', [twice])
    await h.reverts(h.send(customer, 'createOrder', [twice]), 'OrderAlreadyExists')
  })

  it('refuses at creation orders that no enclave could ever serve', async () => {
    const { h, create } = m
    const { provider, stranger } = m.dev.signers
    const now = await h.now()
    // The registration expires before the deadline: no receipt could count.
    const shortLived = await m.registeredEnclave(provider, { expiresAt: now + 600 })
    // A deadline at the very second of expiry too: a receipt then could not count either.
    await h.reverts(
      create({ enclave: shortLived.address, deadline: now + 600 }),
      'DeadlineAfterEnclaveExpiry',
    )
    await h.reverts(
      create({ enclave: shortLived.address, deadline: now + 700 }),
      'DeadlineAfterEnclaveExpiry',
    )
    await create({ enclave: shortLived.address, deadline: now + 590 })
    // The solution offer needs a runtime the enclave does not run.
    const pinnedRuntime = await m.newSolutionOffer('needs runtime v9', 1n, {
      requiredMeasurement: label('runtime v9'),
    })
    await h.reverts(
      create({ solutionOfferId: pinnedRuntime, solutionHash: label('needs runtime v9') }),
      'MeasurementNotAllowedBySolution',
    )
    // A TEE offer of other hardware than the enclave runs on.
    const tdxOffer = await m.newTeeOffer(provider, teePrice, 5, 1)
    await h.reverts(create({ teeOfferId: tdxOffer }), 'EnclaveHardwareMismatch')
    // An enclave of another provider cannot serve this provider's offer.
    const foreign = await m.registeredEnclave(stranger)
    await h.reverts(create({ enclave: foreign.address }), 'EnclaveNotOfOfferProvider')
    // Too little time between acceptance and deadline (minDeliveryWindow is 30 s).
    await h.reverts(create({ acceptBy: now + 100, deadline: now + 129 }), 'InvalidDeadlines')
    await create({ acceptBy: now + 100, deadline: now + 131 })
  })

  it('lets only the offer’s staked provider accept, within capacity, stake and acceptBy', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    const small = await m.newTeeOffer(provider, teePrice, 2)
    const [first, second, third] = [
      await m.create({ teeOfferId: small }),
      await m.create({ teeOfferId: small }),
      await m.create({ teeOfferId: small }),
    ]
    if (!first || !second || !third) throw new Error('unreachable')
    await h.reverts(h.send(stranger, 'acceptOrder', [first.terms]), 'NotOrderProvider')
    await h.reverts(
      h.send(provider, 'acceptOrder', [{ ...first.terms, teePrice: 1n }]),
      'OrderNotFound',
    )
    await h.send(provider, 'acceptOrder', [first.terms])
    await h.reverts(h.send(provider, 'acceptOrder', [first.terms]), 'WrongOrderStatus')
    await h.send(provider, 'acceptOrder', [second.terms])
    await h.reverts(h.send(provider, 'acceptOrder', [third.terms]), 'OfferAtCapacity')
    assert.equal((await h.read<{ activeOrders: number }>('getTeeOffer', [small])).activeOrders, 2)
    // Completing one frees its unit of capacity.
    await m.deliver(first)
    assert.equal((await h.read<{ activeOrders: number }>('getTeeOffer', [small])).activeOrders, 1)
    // Below the minimum stake, no acceptance.
    const { active, locked } = await m.stakeOf()
    const leave = active - locked - parseEther('50')
    await h.send(provider, 'requestUnstake', [leave])
    await h.reverts(h.send(provider, 'acceptOrder', [third.terms]), 'StakeBelowMinimum')
    await h.send(provider, 'stake', [leave])
    await m.dev.increaseTime(121)
    await h.reverts(h.send(provider, 'acceptOrder', [third.terms]), 'AcceptDeadlinePassed')
    await h.send(stranger, 'refundOrder', [third.terms])
    await m.deliver(second)
  })

  it('cancels before acceptance only, by the customer, refunding everything', async () => {
    const { h } = m
    const { customer, stranger, provider } = m.dev.signers
    const before = await h.balance(customer.account.address)
    const order = await m.create()
    await h.reverts(h.send(stranger, 'cancelOrder', [order.terms]), 'NotOrderCustomer')
    await h.reverts(h.send(provider, 'cancelOrder', [order.terms]), 'NotOrderCustomer')
    await h.send(customer, 'cancelOrder', [order.terms])
    assert.equal(await h.balance(customer.account.address), before)
    assert.equal(await m.status(order.orderId), 'cancelled')
    await h.reverts(h.send(customer, 'cancelOrder', [order.terms]), 'WrongOrderStatus')
    await h.reverts(h.send(provider, 'acceptOrder', [order.terms]), 'WrongOrderStatus')
    await h.reverts(h.send(customer, 'refundOrder', [order.terms]), 'WrongOrderStatus')
    const taken = await m.accepted()
    await h.reverts(h.send(customer, 'cancelOrder', [taken.terms]), 'WrongOrderStatus')
    await m.deliver(taken)
  })

  it('refunds a missed acceptBy without slashing, and a missed deadline with slashBps of the stake', async () => {
    const { h } = m
    const { customer, stranger } = m.dev.signers
    const before = await h.balance(customer.account.address)
    const stakeBefore = await m.stakeOf()
    const unaccepted = await m.create()
    const late = await m.accepted()
    const unknown = { ...late.terms, requestHash: label('no such order') }
    await h.reverts(h.send(stranger, 'refundOrder', [unknown]), 'OrderNotFound')
    await h.reverts(h.send(stranger, 'refundOrder', [unaccepted.terms]), 'RefundNotYetDue')
    await h.reverts(h.send(stranger, 'refundOrder', [late.terms]), 'RefundNotYetDue')
    await m.dev.increaseTime(121)
    await h.send(stranger, 'refundOrder', [unaccepted.terms])
    assert.deepEqual(await m.stakeOf(), {
      ...stakeBefore,
      locked: stakeBefore.locked + (orderTotal(late.terms) * defaults.slashBps) / 10_000n,
    })
    await h.reverts(h.send(stranger, 'refundOrder', [late.terms]), 'RefundNotYetDue')
    await m.dev.increaseTime(600)
    const providerOwed = await m.owed(m.dev.signers.provider.account.address)
    const { receipt } = await h.send(stranger, 'refundOrder', [late.terms])
    const slashed = (orderTotal(late.terms) * defaults.slashBps) / 10_000n
    assert.equal(await h.balance(customer.account.address), before + slashed)
    const stakeAfter = await m.stakeOf()
    assert.equal(stakeAfter.active, stakeBefore.active - slashed)
    assert.equal(stakeAfter.locked, stakeBefore.locked)
    assert.equal(await m.owed(m.dev.signers.provider.account.address), providerOwed)
    assert.deepEqual(
      h.eventsOf(receipt.logs).map((event) => event.eventName),
      ['Slashed', 'OrderRefunded'],
    )
    assert.deepEqual(
      [await m.status(unaccepted.orderId), await m.status(late.orderId)],
      ['refunded', 'refunded'],
    )
    await h.reverts(h.send(stranger, 'refundOrder', [late.terms]), 'WrongOrderStatus')
    await h.reverts(m.deliver(late), 'WrongOrderStatus')
  })

  it('hands an order back before the deadline: refund plus exactly the hand-back fee, provider only', async () => {
    const { h } = m
    const { customer, provider, stranger } = m.dev.signers
    const created = await m.create()
    await h.reverts(h.send(provider, 'handBackOrder', [created.terms]), 'WrongOrderStatus')
    await h.send(customer, 'cancelOrder', [created.terms])
    const order = await m.accepted()
    await h.reverts(h.send(stranger, 'handBackOrder', [order.terms]), 'NotOrderProvider')
    await h.reverts(h.send(customer, 'handBackOrder', [order.terms]), 'NotOrderProvider')
    const customerBefore = await h.balance(customer.account.address)
    const stakeBefore = await m.stakeOf()
    const capacityBefore = (await h.read<{ activeOrders: number }>('getTeeOffer', [m.teeOfferId]))
      .activeOrders
    const fee = (orderTotal(order.terms) * defaults.handBackBps) / 10_000n
    const { receipt } = await h.send(provider, 'handBackOrder', [order.terms])
    assert.equal(m.eventArgs<{ fee: bigint }>(receipt.logs, 'OrderHandedBack').fee, fee)
    assert.equal(
      await h.balance(customer.account.address),
      customerBefore + orderTotal(order.terms) + fee,
    )
    assert.deepEqual(await m.stakeOf(), {
      ...stakeBefore,
      active: stakeBefore.active - fee,
      locked: stakeBefore.locked - (orderTotal(order.terms) * defaults.slashBps) / 10_000n,
    })
    assert.equal(
      (await h.read<{ activeOrders: number }>('getTeeOffer', [m.teeOfferId])).activeOrders,
      capacityBefore - 1,
    )
    assert.equal(await m.status(order.orderId), 'handedBack')
    await h.reverts(h.send(provider, 'handBackOrder', [order.terms]), 'WrongOrderStatus')
    await h.reverts(m.deliver(order), 'WrongOrderStatus')
    await h.reverts(h.send(customer, 'refundOrder', [order.terms]), 'WrongOrderStatus')
    // Not after the deadline: then the order is refunded with the full slash instead.
    const late = await m.accepted()
    await m.dev.increaseTime(721)
    await h.reverts(h.send(provider, 'handBackOrder', [late.terms]), 'DeadlinePassed')
    await h.send(customer, 'refundOrder', [late.terms])
  })
})
