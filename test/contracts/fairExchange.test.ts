import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Address, bytesToHex, parseEther, toHex } from 'viem'
import { marketAbi } from '../../src/chain/abis.ts'
import { submitReceipts } from '../../src/chain/actions/market/submitReceipts.ts'
import { orderTotal } from '../../src/protocol/orderTerms.ts'
import { label, zeroHash } from '../support/protocolHarness.ts'
import { defaults, exposureOf, type Market, type Order, startMarket } from './marketFixture.ts'

/**
 * Fair exchange: the customer can read the result exactly when the provider is paid, and a
 * provider that is paid but withholds the output loses the payouts and part of its stake.
 */
describe('fair exchange: sealed result key, maturing payouts, challenges', () => {
  let m: Market
  let dataOfferId: number
  before(async () => {
    m = await startMarket()
    dataOfferId = await m.newDataOffer('dataset')
  })
  after(() => m.dev.stop())

  const address = (role: 'provider' | 'modelVendor' | 'dataVendor' | 'customer' | 'stranger') =>
    m.dev.signers[role].account.address
  /** Everyone an order with a data offer pays, and what each gets. */
  const payeesOf = (order: Order): [Address, bigint][] => [
    [address('provider'), order.terms.teePrice],
    [address('modelVendor'), order.terms.solutionPrice],
    [address('dataVendor'), order.terms.dataPrice],
    [m.dev.deployment.contracts.timelock, order.terms.fee],
  ]
  const owedBy = (order: Order) => Promise.all(payeesOf(order).map(([payee]) => m.owed(payee)))

  it('reveals the sealed result key in the receipt’s event, in the transaction that pays', async () => {
    const order = await m.accepted()
    const { receipt, delivered } = await m.deliver(order)
    const completed = m.eventArgs<{
      orderId: bigint
      enclave: Address
      outputHash: string
      wrappedResultKey: string
      signature: string
    }>(receipt.logs, 'OrderCompleted')
    assert.deepEqual(completed, {
      orderId: order.orderId,
      enclave: m.enclave.address,
      outputHash: delivered.outputHash,
      wrappedResultKey: delivered.wrappedResultKey,
      signature: delivered.signature,
    })
    assert.equal((await m.pendingOf(address('provider'))).amount >= order.terms.teePrice, true)
  })

  it('refuses a late receipt; a batch skips it, and no successful call reveals its key', async () => {
    const { h } = m
    const order = await m.accepted()
    const late = await m.receiptFor(order)
    await m.dev.increaseTime(721)
    await h.reverts(m.submitReceipt(late), 'DeadlinePassed')
    const outcome = await submitReceipts(m.dev.signers.provider, { receipts: [late] })
    assert.deepEqual(outcome.done, [])
    assert.deepEqual(
      outcome.skipped.map((skip) => [skip.orderId, skip.errorName]),
      [[order.orderId, 'DeadlinePassed']],
    )
    const completions = await h.client.getContractEvents({
      address: m.dev.deployment.contracts.market,
      abi: marketAbi,
      eventName: 'OrderCompleted',
      args: { orderId: order.orderId },
      fromBlock: 0n,
    })
    assert.deepEqual(completions, [])
    assert.equal(await m.status(order.orderId), 'accepted')
    await h.send(m.dev.signers.customer, 'refundOrder', [order.terms])
  })

  it('keeps payouts from withdrawal until they mature, then releases them', async () => {
    const { h } = m
    const provider = m.dev.signers.provider
    // Wait until everything delivered so far has matured.
    await m.dev.increaseTime(3 * defaults.challengeWindow)
    const available = await h.balance(address('provider'))
    assert.equal((await m.pendingOf(address('provider'))).amount, 0n)
    const order = await m.accepted()
    await m.deliver(order)
    const pending = await m.pendingOf(address('provider'))
    assert.equal(pending.amount, order.terms.teePrice)
    const epochLength = BigInt(defaults.challengeWindow)
    const deliveredEpoch = BigInt(await h.now()) / epochLength
    assert.equal(BigInt(pending.maturesAt), (deliveredEpoch + 2n) * epochLength)
    assert.equal(await h.balance(address('provider')), available)
    await h.reverts(
      h.send(provider, 'withdraw', [available + order.terms.teePrice]),
      'InsufficientBalance',
    )
    await m.dev.increaseTime(pending.maturesAt - (await h.now()) - 1)
    await h.reverts(
      h.send(provider, 'withdraw', [available + order.terms.teePrice]),
      'InsufficientBalance',
    )
    await m.dev.increaseTime(1)
    assert.equal(await h.balance(address('provider')), available + order.terms.teePrice)
    assert.equal((await m.pendingOf(address('provider'))).amount, 0n)
    const wallet = await h.tokenBalance(address('provider'))
    await h.send(provider, 'withdraw', [available + order.terms.teePrice])
    assert.equal(
      await h.tokenBalance(address('provider')),
      wallet + available + order.terms.teePrice,
    )
  })

  it('claws back a withheld output’s payouts; unanswered, the customer gets escrow, bond and the slash', async () => {
    const { h } = m
    const { customer, provider, stranger } = m.dev.signers
    const order = await m.accepted({ dataOfferId })
    const before = await owedBy(order)
    await m.deliver(order)
    const delivered = await owedBy(order)
    assert.deepEqual(
      delivered.map((value, i) => value - (before[i] ?? 0n)),
      payeesOf(order).map(([, amount]) => amount),
    )
    const customerBefore = await h.balance(address('customer'))
    const { receipt } = await h.send(customer, 'challengeDelivery', [order.terms])
    const respondBy = (await h.now()) + defaults.responseWindow
    assert.deepEqual(m.eventArgs(receipt.logs, 'OrderChallenged'), {
      orderId: order.orderId,
      respondBy,
    })
    assert.equal(await h.balance(address('customer')), customerBefore - defaults.challengeBond)
    assert.deepEqual(await owedBy(order), before)
    assert.equal(await m.status(order.orderId), 'challenged')
    // The provider tries to take the payout anyway, before and after it would have matured.
    const available = await h.balance(address('provider'))
    await h.reverts(
      h.send(provider, 'withdraw', [available + order.terms.teePrice]),
      'InsufficientBalance',
    )
    await h.reverts(h.send(stranger, 'refundOrder', [order.terms]), 'RefundNotYetDue')
    await m.dev.increaseTime(2 * defaults.challengeWindow + 1)
    assert.equal(await h.balance(address('provider')), available)
    await h.reverts(
      h.send(provider, 'withdraw', [available + order.terms.teePrice]),
      'InsufficientBalance',
    )
    await h.reverts(m.answerChallenge(await m.receiptFor(order)), 'ResponseWindowClosed')
    const stakeBefore = await m.stakeOf()
    const refunded = await h.send(stranger, 'refundOrder', [order.terms])
    assert.deepEqual(m.eventArgs(refunded.receipt.logs, 'OrderRefunded'), {
      orderId: order.orderId,
      amount: orderTotal(order.terms) + defaults.challengeBond,
      slashed: exposureOf(order),
    })
    assert.equal(
      await h.balance(address('customer')),
      customerBefore + orderTotal(order.terms) + exposureOf(order),
    )
    assert.equal((await m.stakeOf()).active, stakeBefore.active - exposureOf(order))
    assert.deepEqual(await owedBy(order), before)
    assert.equal(await m.status(order.orderId), 'refunded')
    await h.reverts(h.send(customer, 'challengeDelivery', [order.terms]), 'WrongOrderStatus')
  })

  it('is answered by publishing the output on-chain with the enclave’s receipt: the payouts stand, the bond goes to the provider', async () => {
    const { h } = m
    const { customer, provider, stranger } = m.dev.signers
    const order = await m.accepted({ dataOfferId })
    const before = await owedBy(order)
    const { delivered } = await m.deliver(order)
    await h.send(customer, 'challengeDelivery', [order.terms])
    const answer = (overrides: Partial<typeof delivered> = {}) =>
      m.answerChallenge({ ...delivered, ...overrides }, stranger)
    // Not the output the receipt names, not the enclave's signature, not the receipt it signed.
    await h.reverts(
      answer({ output: new TextEncoder().encode('another output') }),
      'OutputMismatch',
    )
    const impostor = (await m.h.newEnclave(provider)).key
    const forged = await m.receiptFor(order, { key: impostor, output: delivered.output })
    await h.reverts(answer({ signature: forged.signature }), 'InvalidEnclaveSignature')
    await h.reverts(answer({ wrappedResultKey: toHex('other key') }), 'AnswerNotTheDelivery')
    // An enclave that signed a second receipt for the order cannot be answered with that one.
    const second = await m.receiptFor(order, { output: new TextEncoder().encode('second output') })
    await h.reverts(answer(second), 'AnswerNotTheDelivery')
    await h.reverts(
      answer({ terms: { ...order.terms, requestHash: label('another order') } }),
      'OrderNotFound',
    )
    const providerAvailable = await h.balance(address('provider'))
    const { receipt } = await answer()
    assert.deepEqual(m.eventArgs(receipt.logs, 'ChallengeAnswered'), {
      orderId: order.orderId,
      output: bytesToHex(delivered.output),
    })
    assert.equal(await m.status(order.orderId), 'completed')
    const state = await h.read<{ since: number }>('getOrder', [order.orderId])
    assert.equal(state.since, 0)
    const after = await owedBy(order)
    assert.deepEqual(
      after.map((value, i) => value - (before[i] ?? 0n)),
      payeesOf(order).map(([payee, amount]) =>
        payee === address('provider') ? amount + defaults.challengeBond : amount,
      ),
    )
    assert.equal(await h.balance(address('provider')), providerAvailable + defaults.challengeBond)
    // Its output is on-chain now: nothing is withheld, it cannot be challenged again.
    await h.reverts(h.send(customer, 'challengeDelivery', [order.terms]), 'ChallengeWindowClosed')
    await h.reverts(answer(), 'WrongOrderStatus')
    await h.reverts(h.send(stranger, 'refundOrder', [order.terms]), 'WrongOrderStatus')
  })

  it('refuses a challenge by anyone but the customer, of an undelivered order, twice, or after the window', async () => {
    const { h } = m
    const { customer, provider, stranger } = m.dev.signers
    const accepted = await m.accepted()
    await h.reverts(h.send(customer, 'challengeDelivery', [accepted.terms]), 'WrongOrderStatus')
    await h.reverts(
      h.send(customer, 'challengeDelivery', [{ ...accepted.terms, fee: accepted.terms.fee + 1n }]),
      'OrderNotFound',
    )
    await m.deliver(accepted)
    await h.reverts(h.send(stranger, 'challengeDelivery', [accepted.terms]), 'NotOrderCustomer')
    await h.reverts(h.send(provider, 'challengeDelivery', [accepted.terms]), 'NotOrderCustomer')
    await h.send(customer, 'challengeDelivery', [accepted.terms])
    await h.reverts(h.send(customer, 'challengeDelivery', [accepted.terms]), 'WrongOrderStatus')
    const delivered = await m.accepted()
    await m.deliver(delivered)
    await m.dev.increaseTime(defaults.challengeWindow + 1)
    await h.reverts(
      h.send(customer, 'challengeDelivery', [delivered.terms]),
      'ChallengeWindowClosed',
    )
    await h.reverts(m.answerChallenge(await m.receiptFor(delivered)), 'WrongOrderStatus')
  })

  it('keeps an order on a free TEE offer challengeable whatever else its provider is paid meanwhile', async () => {
    const { h } = m
    const { stranger: provider, customer } = m.dev.signers
    // A provider with no payouts yet, a free TEE offer and a paid one.
    await h.approve(provider, parseEther('100'))
    await h.send(provider, 'stake', [parseEther('100')])
    const enclave = await m.registeredEnclave(provider)
    const free = await m.newTeeOffer(provider, 0n)
    const paid = await m.newTeeOffer(provider, parseEther('1'))
    const order = async (teeOfferId: number, solutionOfferId: number) => {
      const placed = await m.create({
        enclave: enclave.address,
        teeOfferId,
        solutionOfferId,
        solutionHash: solutionOfferId ? label('model') : zeroHash,
      })
      await h.send(provider, 'acceptOrder', [placed.terms])
      await m.deliver(placed, { key: enclave, submitter: provider })
      return placed
    }
    // Deliver the free order late in a payout epoch and a paid one early in the next.
    const epoch = defaults.challengeWindow
    await m.dev.increaseTime((((epoch - ((await h.now()) % epoch) - 60) % epoch) + epoch) % epoch)
    const withheld = await order(free, m.solutionOfferId)
    await m.dev.increaseTime(120)
    await order(paid, 0)
    // The customer paid the solution vendor and the fee: the challenge must claw them back.
    const vendorOwed = await m.owed(address('modelVendor'))
    await h.send(customer, 'challengeDelivery', [withheld.terms])
    assert.equal(await m.owed(address('modelVendor')), vendorOwed - withheld.terms.solutionPrice)
    await m.dev.increaseTime(defaults.responseWindow + 1)
    const customerBefore = await h.balance(address('customer'))
    await h.send(customer, 'refundOrder', [withheld.terms])
    assert.equal(
      await h.balance(address('customer')),
      customerBefore + orderTotal(withheld.terms) + defaults.challengeBond + exposureOf(withheld),
    )
  })
})
