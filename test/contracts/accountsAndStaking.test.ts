import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { orderTotal } from '../../src/protocol/orderTerms.ts'
import { zeroHash } from '../support/protocolHarness.ts'
import { defaults, exposureOf, type Market, type Order, startMarket } from './marketFixture.ts'

describe('accounts and provider stakes', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  it('deposits and withdraws only the caller’s own balance', async () => {
    const { h } = m
    const { dataVendor, stranger } = m.dev.signers
    const account = dataVendor.account.address
    const wallet = await h.tokenBalance(account)
    await h.approve(dataVendor, parseEther('10'))
    await h.send(dataVendor, 'deposit', [parseEther('10')])
    assert.equal(await h.balance(account), parseEther('10'))
    assert.equal(await h.tokenBalance(account), wallet - parseEther('10'))
    await h.reverts(h.send(stranger, 'withdraw', [1n]), 'InsufficientBalance')
    await h.reverts(h.send(dataVendor, 'withdraw', [parseEther('11')]), 'InsufficientBalance')
    await h.reverts(h.send(dataVendor, 'withdraw', [0n]), 'ZeroAmount')
    await h.reverts(h.send(dataVendor, 'deposit', [0n]), 'ZeroAmount')
    await h.send(dataVendor, 'withdraw', [parseEther('4')])
    assert.equal(await h.balance(account), parseEther('6'))
    assert.equal(await h.tokenBalance(account), wallet - parseEther('6'))
  })

  it('stakes, and releases unstaked tokens only after the delay', async () => {
    const { h } = m
    const { modelVendor } = m.dev.signers
    const account = modelVendor.account.address
    await h.approve(modelVendor, parseEther('150'))
    await h.reverts(h.send(modelVendor, 'stake', [0n]), 'ZeroAmount')
    await h.send(modelVendor, 'stake', [parseEther('150')])
    assert.deepEqual(await m.stakeOf(account), {
      active: parseEther('150'),
      locked: 0n,
      unstaking: 0n,
      unlockAt: 0,
    })
    await h.reverts(h.send(modelVendor, 'requestUnstake', [parseEther('151')]), 'InsufficientStake')
    await h.reverts(h.send(modelVendor, 'requestUnstake', [0n]), 'ZeroAmount')
    await h.reverts(h.send(modelVendor, 'withdrawUnstaked'), 'NothingToWithdraw')
    await h.send(modelVendor, 'requestUnstake', [parseEther('50')])
    const unstakeDelay = await h.read<number>('unstakeDelay')
    assert.deepEqual(await m.stakeOf(account), {
      active: parseEther('100'),
      locked: 0n,
      unstaking: parseEther('50'),
      unlockAt: (await h.now()) + unstakeDelay,
    })
    await h.reverts(h.send(modelVendor, 'withdrawUnstaked'), 'UnstakeLocked')
    await m.dev.increaseTime(unstakeDelay - 2)
    await h.reverts(h.send(modelVendor, 'withdrawUnstaked'), 'UnstakeLocked')
    await m.dev.increaseTime(2)
    const wallet = await h.tokenBalance(account)
    await h.send(modelVendor, 'withdrawUnstaked')
    assert.equal(await h.tokenBalance(account), wallet + parseEther('50'))
    await h.reverts(h.send(modelVendor, 'withdrawUnstaked'), 'NothingToWithdraw')
  })
})

/**
 * A second provider (the `stranger` role) with exactly the minimum stake, 100, and a TEE offer
 * whose orders cost 50.5 (price 50 plus the 1 % fee), so each accepted order locks 25.25.
 */
describe('stake locked by accepted orders', () => {
  let m: Market
  let enclave: PrivateKeyAccount
  let teeOfferId: number
  before(async () => {
    m = await startMarket()
    const { stranger } = m.dev.signers
    await m.h.approve(stranger, parseEther('100'))
    await m.h.send(stranger, 'stake', [parseEther('100')])
    enclave = await m.registeredEnclave(stranger)
    teeOfferId = await m.newTeeOffer(stranger, parseEther('50'), 20)
  })
  after(() => m.dev.stop())

  const provider = () => m.dev.signers.stranger
  const order = async (overrides: Record<string, unknown> = {}) =>
    m.create({
      enclave: enclave.address,
      teeOfferId,
      solutionOfferId: 0,
      solutionHash: zeroHash,
      ...overrides,
    })
  const deliver = (placed: Order) => m.deliver(placed, { key: enclave, submitter: provider() })

  it('locks each order’s exposure and never lets exposure exceed the stake', async () => {
    const { h } = m
    const accepted: Order[] = []
    let refused: Order | undefined
    for (let i = 0; i < 10 && !refused; i++) {
      const placed = await order()
      try {
        await h.send(provider(), 'acceptOrder', [placed.terms])
        accepted.push(placed)
      } catch (error) {
        await h.reverts(Promise.reject(error), 'InsufficientStake')
        refused = placed
      }
      const { active, locked } = await m.stakeOf(provider().account.address)
      assert.ok(locked <= active, 'exposure never exceeds stake')
      assert.equal(
        locked,
        accepted.map(exposureOf).reduce((a, b) => a + b, 0n),
      )
    }
    assert.equal(accepted.length, 3)
    if (!refused) throw new Error('acceptance was never refused')
    // Locked stake cannot start unstaking; the unlocked rest can.
    const { active, locked } = await m.stakeOf(provider().account.address)
    await h.reverts(
      h.send(provider(), 'requestUnstake', [active - locked + 1n]),
      'InsufficientStake',
    )
    // Each way an accepted order settles releases its lock.
    const [delivered, failed, handedBack] = accepted
    if (!delivered || !failed || !handedBack) throw new Error('unreachable')
    await deliver(delivered)
    assert.equal(
      (await m.stakeOf(provider().account.address)).locked,
      locked - exposureOf(delivered),
    )
    await h.send(provider(), 'acceptOrder', [refused.terms])
    await h.send(m.dev.signers.customer, 'submitFailure', [
      failed.terms,
      6,
      await h.signFailure(enclave, failed.orderId, 6),
    ])
    await h.send(provider(), 'handBackOrder', [handedBack.terms])
    assert.equal((await m.stakeOf(provider().account.address)).locked, exposureOf(refused))
    await m.dev.increaseTime(721)
    await h.send(m.dev.signers.customer, 'refundOrder', [refused.terms])
    const after = await m.stakeOf(provider().account.address)
    assert.equal(after.locked, 0n)
    assert.equal(
      after.active,
      active -
        (orderTotal(handedBack.terms) * defaults.handBackBps) / 10_000n -
        exposureOf(refused),
    )
  })

  it('slashes a provider that starts unstaking right after accepting, at the deadline and for a withheld output', async () => {
    const { h } = m
    const { customer } = m.dev.signers
    const account = provider().account.address
    await h.approve(provider(), parseEther('100'))
    await h.send(provider(), 'stake', [parseEther('100')])
    const late = await order()
    await h.send(provider(), 'acceptOrder', [late.terms])
    const withheld = await order()
    await h.send(provider(), 'acceptOrder', [withheld.terms])
    await deliver(withheld)
    // The provider tries to leave with everything: only the unlocked stake may go.
    const start = await m.stakeOf(account)
    await h.reverts(h.send(provider(), 'requestUnstake', [start.active]), 'InsufficientStake')
    await h.send(provider(), 'requestUnstake', [start.active - start.locked])
    const waiting = await m.stakeOf(account)
    assert.deepEqual([waiting.active, waiting.locked], [exposureOf(late), exposureOf(late)])
    // The customer of the delivered order says its output is withheld; nobody answers.
    await h.send(customer, 'challengeDelivery', [withheld.terms])
    await m.dev.increaseTime(721)
    await h.reverts(h.send(provider(), 'withdrawUnstaked'), 'UnstakeLocked')
    const customerBefore = await h.balance(customer.account.address)
    await h.send(customer, 'refundOrder', [late.terms])
    assert.equal(
      await h.balance(customer.account.address),
      customerBefore + orderTotal(late.terms) + exposureOf(late),
    )
    await m.dev.increaseTime(defaults.responseWindow)
    await h.send(customer, 'refundOrder', [withheld.terms])
    // Both slashes were paid; the second from stake waiting to unstake.
    const end = await m.stakeOf(account)
    assert.deepEqual(
      [end.active, end.locked, end.unstaking],
      [0n, 0n, waiting.unstaking - exposureOf(withheld)],
    )
    assert.equal(
      await h.balance(customer.account.address),
      customerBefore +
        orderTotal(late.terms) +
        exposureOf(late) +
        orderTotal(withheld.terms) +
        defaults.challengeBond +
        exposureOf(withheld),
    )
    await m.dev.increaseTime(await h.read<number>('unstakeDelay'))
    await h.send(provider(), 'withdrawUnstaked')
  })

  it('lets every accepted order settle after a slash took stake that their locks counted on', async () => {
    const { h } = m
    const { customer } = m.dev.signers
    const account = provider().account.address
    await h.approve(provider(), parseEther('150'))
    await h.send(provider(), 'stake', [parseEther('150')])
    const withheld = await order()
    await h.send(provider(), 'acceptOrder', [withheld.terms])
    await deliver(withheld)
    const open: Order[] = []
    // Deadlines after the challenge below is settled.
    const deadline = (await h.now()) + 2 * defaults.responseWindow
    for (let i = 0; i < 5; i++) {
      const placed = await order({ deadline })
      await h.send(provider(), 'acceptOrder', [placed.terms])
      open.push(placed)
    }
    // An unanswered challenge slashes stake that the five open orders have locked.
    await h.send(customer, 'challengeDelivery', [withheld.terms])
    await m.dev.increaseTime(defaults.responseWindow + 1)
    await h.send(customer, 'refundOrder', [withheld.terms])
    const slashed = await m.stakeOf(account)
    assert.equal(slashed.active, parseEther('150') - exposureOf(withheld))
    assert.equal(
      slashed.locked,
      open.map(exposureOf).reduce((a, b) => a + b, 0n),
    )
    assert.ok(slashed.locked > slashed.active)
    // Under-collateralized: no new order and no unstaking until the locks come down.
    const extra = await order()
    await h.reverts(h.send(provider(), 'acceptOrder', [extra.terms]), 'InsufficientStake')
    await h.reverts(h.send(provider(), 'requestUnstake', [1n]), 'InsufficientStake')
    // Every open order still ends, each way an order can.
    const [first, second, third, fourth, fifth] = open
    if (!first || !second || !third || !fourth || !fifth) throw new Error('unreachable')
    await deliver(first)
    await h.send(customer, 'submitFailure', [
      second.terms,
      7,
      await h.signFailure(enclave, second.orderId, 7),
    ])
    await h.send(provider(), 'handBackOrder', [third.terms])
    await deliver(fourth)
    await m.dev.increaseTime(defaults.responseWindow)
    await h.send(customer, 'refundOrder', [fifth.terms])
    assert.equal((await m.stakeOf(account)).locked, 0n)
    assert.deepEqual(await Promise.all(open.map((placed) => m.status(placed.orderId))), [
      'completed',
      'failed',
      'handedBack',
      'completed',
      'refunded',
    ])
  })
})
