import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Address, createPublicClient, createTestClient, http, parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { marketAbi, tokenAbi } from '../../src/chain/abis.ts'
import { acceptOrders } from '../../src/chain/actions/market/acceptOrders.ts'
import { submitReceipts } from '../../src/chain/actions/market/submitReceipts.ts'
import { useFaucet } from '../../src/chain/actions/token/useFaucet.ts'
import type { BoccSigner } from '../../src/chain/boccChain.ts'
import { orderStatuses } from '../../src/chain/orderStatus.ts'
import { TransactionRevertedError } from '../../src/chain/writeContractAndWait.ts'
import { orderTotal } from '../../src/protocol/orderTerms.ts'
import { label, zeroHash } from '../support/protocolHarness.ts'
import {
  defaults,
  exposureOf,
  type Market,
  type Order,
  type Status,
  startMarket,
} from './marketFixture.ts'

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Tracked = Order & {
  status: Status
  customer: BoccSigner
  /** When it was delivered (the challenge window runs from there). */
  deliveredAt?: number
  /** When a challenge must be answered by. */
  respondBy?: number
  /** Payouts credited minus payouts clawed back: never more than one. */
  payouts: number
}

const open: Status[] = ['created', 'accepted', 'challenged']
const final: Status[] = ['cancelled', 'refunded', 'failed', 'handedBack']
/** Seconds of margin around a deadline within which the test does not insist on the outcome. */
const margin = 5

/**
 * Random sequences of every action, by several actors, with the chain's clock jumping. After every
 * step: the tokens the market holds equal all available balances, pending payouts, the escrow of
 * open orders, stakes (active and unstaking) and the challenge bonds held; the stake locked equals
 * the exposure of the accepted orders; each order's status is what the rules say; an order is paid
 * at most once and a cancelled, refunded, failed or handed-back order never pays. Calls the rules
 * allow (by a margin from any deadline) must succeed: no order can get stuck.
 */
describe('market invariants', () => {
  // A fixed seed by default, so every run and machine checks the same sequence (one that visits
  // most of the state machine); BOCC_INVARIANT_SEED explores others.
  const seed = Number(process.env.BOCC_INVARIANT_SEED ?? 1)
  const steps = 300
  let m: Market
  let enclave: PrivateKeyAccount
  let teeOffers: number[]
  let dataOfferId: number
  /** Moves the chain's clock forward by `seconds`. */
  let jump: (seconds: number) => Promise<void>
  before(async () => {
    m = await startMarket()
    jump = (seconds) => m.dev.increaseTime(seconds)
    if (m.dev.chain.node === 'anvil') {
      // One second a block, whatever the wall clock does, and jumps only where the test makes
      // them: a loaded machine cannot push a call past a deadline the test judged it by.
      const clock = createTestClient({ mode: 'anvil', transport: http(m.dev.chain.rpcUrl) })
      await clock.setBlockTimestampInterval({ interval: 1 })
      // With a fixed interval anvil ignores evm_increaseTime: the next block's time is set instead.
      jump = async (seconds) => {
        await clock.setNextBlockTimestamp({ timestamp: BigInt((await m.h.now()) + seconds) })
        await clock.mine({ blocks: 1 })
      }
    }
    const { provider } = m.dev.signers
    enclave = await m.registeredEnclave(provider, {
      expiresAt: (await m.h.now()) + 10 * 365 * 86_400,
    })
    // A paid TEE offer and a free one (whose orders still pay the vendors and the fee).
    teeOffers = [
      await m.newTeeOffer(provider, parseEther('30'), 5),
      await m.newTeeOffer(provider, 0n, 3),
    ]
    dataOfferId = await m.newDataOffer('dataset')
    // Little more than the minimum stake: stake, not capacity, limits what the provider can take on.
    await m.h.send(provider, 'requestUnstake', [parseEther('190')])
    for (const signer of [m.dev.signers.customer, m.dev.signers.stranger, provider]) {
      await useFaucet(signer, { amount: parseEther('100000') })
      await m.h.approve(signer, parseEther('1000000'))
    }
  })
  after(() => m.dev.stop())

  it(`holds on ${steps} random steps (seed ${seed}; replay with BOCC_INVARIANT_SEED)`, async () => {
    const { h, dev } = m
    const next = random(seed)
    const pick = <item>(items: item[]) => items[Math.floor(next() * items.length)] as item
    const { provider } = dev.signers
    const customers = [dev.signers.customer, dev.signers.stranger]
    // Everyone who can hold a balance here: the actors, the vendors and the fee receiver.
    const accounts: Address[] = [
      ...[...customers, provider, dev.signers.modelVendor, dev.signers.dataVendor].map(
        (signer) => signer.account.address,
      ),
      dev.deployment.contracts.timelock,
    ]
    const orders: Tracked[] = []
    const where = (step: number) => `at step ${step} (seed ${seed})`

    /** Runs a call; whether the chain accepted it (a revert is an answer, anything else a failure). */
    const attempt = async (action: Promise<unknown>) => {
      try {
        await action
        return true
      } catch (error) {
        if (error instanceof TransactionRevertedError) return false
        throw error
      }
    }
    /** Asserts the call succeeded whenever the rules say it must. */
    const expect = (done: boolean, mustSucceed: boolean, what: string, step: number) =>
      assert.ok(
        done || !mustSucceed,
        `${what} was refused though the rules allow it ${where(step)}`,
      )

    // The checks read much after every step: one JSON-RPC batch per round of reads keeps them quick.
    const reader = createPublicClient({
      transport: http(dev.chain.rpcUrl, { batch: { wait: 0 } }),
    })
    const market = { address: dev.deployment.contracts.market, abi: marketAbi } as const
    async function checkInvariants(step: number) {
      const [held, available, pending, [active, locked, unstaking]] = await Promise.all([
        reader.readContract({
          address: dev.deployment.contracts.token,
          abi: tokenAbi,
          functionName: 'balanceOf',
          args: [market.address],
        }),
        Promise.all(
          accounts.map((account) =>
            reader.readContract({ ...market, functionName: 'balanceOf', args: [account] }),
          ),
        ),
        Promise.all(
          accounts.map((account) =>
            reader.readContract({ ...market, functionName: 'pendingOf', args: [account] }),
          ),
        ),
        reader.readContract({
          ...market,
          functionName: 'stakeOf',
          args: [provider.account.address],
        }),
      ])
      const owed = accounts.map((_, i) => (available[i] ?? 0n) + (pending[i]?.[0] ?? 0n))
      const stake = { active, locked, unstaking }
      const escrow = orders
        .filter((order) => open.includes(order.status))
        .reduce((sum, order) => sum + orderTotal(order.terms), 0n)
      const bonds =
        BigInt(orders.filter((order) => order.status === 'challenged').length) *
        defaults.challengeBond
      assert.equal(
        held,
        owed.reduce((a, b) => a + b, 0n) + escrow + stake.active + stake.unstaking + bonds,
        `token conservation broken ${where(step)}`,
      )
      assert.equal(
        stake.locked,
        orders
          .filter((order) => order.status === 'accepted')
          .reduce((sum, order) => sum + exposureOf(order), 0n),
        `stake locked is not the accepted orders' exposure ${where(step)}`,
      )
      const live = orders.filter((order) => !final.includes(order.status) || order === touched)
      const states = await Promise.all(
        live.map((order) =>
          reader.readContract({ ...market, functionName: 'getOrder', args: [order.orderId] }),
        ),
      )
      assert.deepEqual(
        states.map((state) => orderStatuses[state.status]),
        live.map((order) => order.status),
        `order statuses ${where(step)}`,
      )
      for (const order of orders) {
        assert.ok(order.payouts <= 1, `order ${order.orderId} paid twice ${where(step)}`)
        if (final.includes(order.status))
          assert.equal(order.payouts, 0, `a ${order.status} order paid ${where(step)}`)
      }
    }
    let touched: Tracked | undefined
    /** Mostly an order the action applies to, sometimes any order (which the rules may refuse). */
    const target = (...statuses: Status[]) => {
      const fitting = orders.filter((order) => statuses.includes(order.status))
      return pick(fitting.length > 0 && next() < 0.8 ? fitting : orders)
    }
    const providerOwed = () => m.owed(provider.account.address)
    const receiptOf = (order: Tracked) => m.receiptFor(order, { key: enclave })

    const actions: ((step: number) => Promise<void>)[] = [
      async () => {
        await attempt(
          h.send(pick(customers), 'deposit', [parseEther(String(1 + Math.floor(next() * 20)))]),
        )
      },
      async (step) => {
        const signer = pick([...customers, provider, dev.signers.modelVendor])
        const balance = await h.balance(signer.account.address)
        if (balance > 0n)
          expect(
            await attempt(h.send(signer, 'withdraw', [balance / 2n + 1n])),
            true,
            'withdraw',
            step,
          )
      },
      async (step) => {
        const customer = pick(customers)
        const withSolution = next() < 0.5
        const now = await h.now()
        const params = await m.params({
          enclave: enclave.address,
          teeOfferId: pick(teeOffers),
          solutionOfferId: withSolution ? m.solutionOfferId : 0,
          solutionHash: withSolution ? label('model') : zeroHash,
          dataOfferId: next() < 0.3 ? dataOfferId : 0,
          acceptBy: now + 300,
          deadline: now + 1_200,
        })
        let created: Order | undefined
        expect(
          await attempt(
            h.send(customer, 'createOrder', [params]).then(({ receipt }) => {
              created = h.orderFrom(receipt.logs)
            }),
          ),
          true,
          'createOrder',
          step,
        )
        if (created) orders.push({ ...created, status: 'created', customer, payouts: 0 })
      },
      async () => {
        const order = target('created')
        if (order && (await attempt(h.send(provider, 'acceptOrder', [order.terms]))))
          order.status = 'accepted'
      },
      async (step) => {
        const order = target('accepted')
        if (!order) return
        touched = order
        const before = await providerOwed()
        const now = await h.now()
        const done = await attempt(
          m.submitReceipt(await receiptOf(order), pick([provider, order.customer])),
        )
        const allowed = order.status === 'accepted' && now < order.terms.deadline - margin
        expect(done, allowed, 'a receipt', step)
        if (done) {
          assert.equal(order.status, 'accepted', `a ${order.status} order completed ${where(step)}`)
          order.status = 'completed'
          order.deliveredAt = await h.now()
          order.payouts += 1
          assert.equal(await providerOwed(), before + order.terms.teePrice, where(step))
        } else assert.equal(await providerOwed(), before, where(step))
      },
      async (step) => {
        const order = target('accepted')
        if (!order) return
        touched = order
        const reason = Math.floor(next() * 9)
        const before = await providerOwed()
        const now = await h.now()
        const signature = await h.signFailure(enclave, order.orderId, reason)
        const customerBefore = await h.balance(order.customer.account.address)
        const done = await attempt(
          h.send(pick(customers), 'submitFailure', [order.terms, reason, signature]),
        )
        const allowed =
          order.status === 'accepted' && reason !== 0 && now < order.terms.deadline - margin
        expect(done, allowed, 'a failure', step)
        if (done) {
          assert.ok(order.status === 'accepted' && reason !== 0, where(step))
          order.status = 'failed'
          assert.equal(
            await h.balance(order.customer.account.address),
            customerBefore + orderTotal(order.terms),
            where(step),
          )
        }
        assert.equal(
          await providerOwed(),
          before,
          `a failure never pays the provider ${where(step)}`,
        )
      },
      async (step) => {
        const order = target('created')
        if (!order) return
        touched = order
        const caller = pick([...customers, provider])
        const done = await attempt(h.send(caller, 'cancelOrder', [order.terms]))
        expect(done, order.status === 'created' && caller === order.customer, 'cancel', step)
        if (done) {
          assert.ok(order.status === 'created' && caller === order.customer, where(step))
          order.status = 'cancelled'
        }
      },
      async (step) => {
        const order = target('created', 'accepted', 'challenged')
        if (!order) return
        touched = order
        const now = await h.now()
        const before = await providerOwed()
        const done = await attempt(h.send(pick(customers), 'refundOrder', [order.terms]))
        const due =
          order.status === 'created'
            ? order.terms.acceptBy
            : order.status === 'accepted'
              ? order.terms.deadline
              : order.status === 'challenged'
                ? order.respondBy
                : undefined
        expect(done, due !== undefined && now > due + margin, 'a refund', step)
        if (done) {
          assert.ok(open.includes(order.status), `a ${order.status} order refunded ${where(step)}`)
          order.status = 'refunded'
        }
        assert.equal(
          await providerOwed(),
          before,
          `a refund never pays the provider ${where(step)}`,
        )
      },
      async (step) => {
        const order = target('accepted')
        if (!order) return
        touched = order
        const now = await h.now()
        const done = await attempt(h.send(provider, 'handBackOrder', [order.terms]))
        expect(
          done,
          order.status === 'accepted' && now < order.terms.deadline - margin,
          'a hand-back',
          step,
        )
        if (done) {
          assert.equal(order.status, 'accepted', where(step))
          order.status = 'handedBack'
        }
      },
      async (step) => {
        const order = target('completed')
        if (!order) return
        touched = order
        const now = await h.now()
        const caller = pick([order.customer, order.customer, provider])
        const before = await providerOwed()
        const done = await attempt(h.send(caller, 'challengeDelivery', [order.terms]))
        const allowed =
          order.status === 'completed' &&
          order.deliveredAt !== undefined &&
          now < order.deliveredAt + defaults.challengeWindow - margin &&
          caller === order.customer
        expect(done, allowed, 'a challenge', step)
        if (done) {
          assert.ok(order.status === 'completed' && caller === order.customer, where(step))
          order.status = 'challenged'
          order.respondBy = (await h.now()) + defaults.responseWindow
          order.payouts -= 1
          assert.equal(await providerOwed(), before - order.terms.teePrice, where(step))
        }
      },
      async (step) => {
        const order = target('challenged')
        if (!order) return
        touched = order
        const now = await h.now()
        const before = await providerOwed()
        const done = await attempt(
          m.answerChallenge(await receiptOf(order), pick([provider, dev.signers.modelVendor])),
        )
        const allowed =
          order.status === 'challenged' &&
          order.respondBy !== undefined &&
          now < order.respondBy - margin
        expect(done, allowed, 'an answer', step)
        if (done) {
          assert.equal(order.status, 'challenged', where(step))
          order.status = 'completed'
          order.deliveredAt = undefined
          order.payouts += 1
          assert.equal(
            await providerOwed(),
            before + order.terms.teePrice + defaults.challengeBond,
            where(step),
          )
        }
      },
      async (step) => {
        // The provider takes every waiting order in one batch; those it cannot take are skipped.
        const waiting = orders.filter((order) => order.status === 'created')
        if (waiting.length === 0) return
        const outcome = await acceptOrders(provider, { terms: waiting.map((order) => order.terms) })
        for (const order of waiting)
          if (outcome.done.includes(order.orderId)) order.status = 'accepted'
        for (const skip of outcome.skipped)
          assert.ok(
            [
              'AcceptDeadlinePassed',
              'OfferAtCapacity',
              'InsufficientStake',
              'StakeBelowMinimum',
            ].includes(skip.errorName),
            `acceptOrders skipped an order for ${skip.errorName} ${where(step)}`,
          )
      },
      async (step) => {
        // Receipts for every accepted order in one batch.
        const due = orders.filter((order) => order.status === 'accepted')
        if (due.length === 0) return
        const before = await providerOwed()
        const now = await h.now()
        const outcome = await submitReceipts(provider, {
          receipts: await Promise.all(due.map(receiptOf)),
        })
        let paid = 0n
        for (const order of due) {
          const done = outcome.done.includes(order.orderId)
          expect(done, now < order.terms.deadline - margin, 'a batched receipt', step)
          if (!done) continue
          order.status = 'completed'
          order.deliveredAt = await h.now()
          order.payouts += 1
          paid += order.terms.teePrice
        }
        assert.equal(await providerOwed(), before + paid, where(step))
      },
      async () => {
        await attempt(h.send(provider, 'stake', [parseEther(String(10 + Math.floor(next() * 50)))]))
      },
      async () => {
        await attempt(
          h.send(provider, 'requestUnstake', [parseEther(String(10 + Math.floor(next() * 50)))]),
        )
      },
      async () => {
        await attempt(h.send(provider, 'withdrawUnstaked'))
      },
      async () => {
        await jump(pick([30, 90, 300, 700, 3_700, 8_000, 200_000]))
      },
    ]

    // How often each action above is picked: more of those that move orders forward.
    const weights = [1, 1, 4, 2, 2, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2]
    assert.equal(weights.length, actions.length)
    const weighted = actions.flatMap((action, i) => Array(weights[i]).fill(action))
    await checkInvariants(0)
    // Every status some order held after some step: what of the state machine the run exercised.
    const visited = new Set<Status>()
    for (let step = 1; step <= steps; step++) {
      touched = undefined
      await pick(weighted)(step)
      await checkInvariants(step)
      for (const order of orders) visited.add(order.status)
    }
    // No order is stuck: once every deadline and response window has passed, each open one refunds.
    await jump(86_400 + defaults.responseWindow + margin)
    for (const order of orders.filter((item) => open.includes(item.status))) {
      await h.send(dev.signers.stranger, 'refundOrder', [order.terms])
      order.status = 'refunded'
    }
    await checkInvariants(steps + 1)
    const statuses = await Promise.all(orders.map((order) => m.status(order.orderId)))
    assert.deepEqual(
      statuses,
      orders.map((order) => order.status),
      where(steps),
    )
    assert.ok(orders.length > 5, 'the sequence created orders')
    assert.ok(visited.size >= 5, `the sequence visited only ${[...visited].join(', ')}`)
  })
})
