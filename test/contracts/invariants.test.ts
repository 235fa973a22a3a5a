import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { SignerConnection } from '../../src/chain/connectChain.ts'
import { TransactionRevertedError } from '../../src/chain/sendTransaction.ts'
import { type OrderTerms, orderTotal } from '../../src/protocol/orderTerms.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { label, protocolHarness, zeroHash } from '../support/protocolHarness.ts'

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

type Order = {
  orderId: bigint
  terms: OrderTerms
  status: 'created' | 'accepted' | 'completed' | 'cancelled' | 'refunded' | 'failed'
}

/**
 * Random sequences of every action, by several actors, with the chain's clock jumping. After every
 * step: the tokens the contract holds equal all free balances plus the escrow of open orders plus
 * all stakes; an order pays at most once; a cancelled, refunded or failed order never pays.
 */
describe('protocol invariants', () => {
  const seed = Number(process.env.BOCC_INVARIANT_SEED ?? Date.now() % 1_000_000)
  const steps = 400
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  let enclave: PrivateKeyAccount
  let teeOfferId: number

  before(async () => {
    dev = await startLocalProtocol()
    h = protocolHarness(dev)
    const { provider } = dev.signers
    await h.approve(provider, parseEther('1000'))
    await h.send(provider, 'stake', [parseEther('300')])
    const registered = await h.newEnclave(provider, {
      expiresAt: (await h.now()) + 10 * 365 * 86_400,
    })
    enclave = registered.key
    await h.send(provider, 'registerEnclave', [
      registered.registration,
      await h.approvals(registered.registration),
    ])
    teeOfferId = h.idFrom(
      (await h.send(provider, 'createTeeOffer', [0, parseEther('3'), 3])).receipt.logs,
      'TeeOfferCreated',
    )
    for (const customer of [dev.signers.customer, dev.signers.stranger])
      await h.approve(customer, parseEther('1000000'))
  })
  after(() => dev.stop())

  it(`holds on ${steps} random steps (seed ${seed}; replay with BOCC_INVARIANT_SEED)`, async () => {
    const next = random(seed)
    const pick = <item>(items: item[]) => items[Math.floor(next() * items.length)] as item
    const { provider } = dev.signers
    const customers = [dev.signers.customer, dev.signers.stranger]
    const everyone = Object.values(dev.signers).map((signer) => signer.account.address)
    const orders: Order[] = []
    const completedPayouts = new Map<bigint, number>()

    const attempt = async (action: Promise<unknown>) => {
      try {
        await action
        return true
      } catch (error) {
        if (error instanceof TransactionRevertedError) return false
        throw error
      }
    }
    const sumBalances = async () =>
      (await Promise.all(everyone.map((account) => h.balance(account)))).reduce((a, b) => a + b, 0n)
    const stakes = async () => {
      const [active, unstaking] = await h.read<[bigint, bigint, number]>('stakeOf', [
        provider.account.address,
      ])
      return active + unstaking
    }
    async function checkInvariants(step: number) {
      const escrow = orders
        .filter((order) => order.status === 'created' || order.status === 'accepted')
        .reduce((sum, order) => sum + orderTotal(order.terms), 0n)
      const held = await h.tokenBalance(dev.deployment.protocol)
      assert.equal(
        held,
        (await sumBalances()) + escrow + (await stakes()),
        `conservation broken at step ${step} (seed ${seed})`,
      )
      for (const order of orders) {
        const onChain = await h.read<number>('getOrderStatus', [order.orderId])
        assert.equal(
          onChain,
          ['none', 'created', 'accepted', 'completed', 'cancelled', 'refunded', 'failed'].indexOf(
            order.status,
          ),
          `order ${order.orderId} status at step ${step}`,
        )
      }
    }
    const receiptFor = async (order: Order) =>
      h.send(provider, 'submitReceipt', [
        order.terms,
        label(`out ${order.orderId}`),
        await h.signReceipt(enclave, order.orderId, order.terms, label(`out ${order.orderId}`)),
      ])

    const actions: (() => Promise<void>)[] = [
      async () => {
        const customer = pick(customers)
        await attempt(
          h.send(customer, 'deposit', [parseEther(String(1 + Math.floor(next() * 20)))]),
        )
      },
      async () => {
        const signer: SignerConnection = pick([...customers, provider])
        const balance = await h.balance(signer.account.address)
        if (balance > 0n) assert.ok(await attempt(h.send(signer, 'withdraw', [balance / 2n + 1n])))
      },
      async () => {
        const customer = pick(customers)
        const now = await h.now()
        const created = await attempt(
          h
            .send(customer, 'createOrder', [
              {
                enclave: enclave.address,
                teeOfferId,
                solutionOfferId: 0,
                dataOfferId: 0,
                acceptBy: now + 60,
                deadline: now + 600,
                requestHash: label(`request ${orders.length} ${now}`),
                inputHash: label(`input ${orders.length}`),
                solutionHash: zeroHash,
                maxPayment: parseEther('10'),
              },
            ])
            .then(({ receipt }) =>
              orders.push({ ...h.orderFrom(receipt.logs), status: 'created' }),
            ),
        )
        assert.ok(created)
      },
      async () => {
        const order = pick(orders.filter((item) => item.status === 'created'))
        if (order && (await attempt(h.send(provider, 'acceptOrder', [order.terms]))))
          order.status = 'accepted'
      },
      async () => {
        const order = pick(orders)
        if (!order) return
        const providerBefore = await h.balance(provider.account.address)
        const paid = await attempt(receiptFor(order))
        if (paid) {
          assert.equal(order.status, 'accepted', `a ${order.status} order paid out (seed ${seed})`)
          order.status = 'completed'
          completedPayouts.set(order.orderId, (completedPayouts.get(order.orderId) ?? 0) + 1)
          assert.equal(
            await h.balance(provider.account.address),
            providerBefore + order.terms.teePrice,
          )
        } else {
          assert.equal(await h.balance(provider.account.address), providerBefore)
        }
      },
      async () => {
        const order = pick(orders.filter((item) => item.status === 'created'))
        const customer = customers.find(
          (signer) => signer.account.address === order?.terms.customer,
        )
        if (order && customer && (await attempt(h.send(customer, 'cancelOrder', [order.terms]))))
          order.status = 'cancelled'
      },
      async () => {
        const order = pick(orders)
        if (order && (await attempt(h.send(pick(customers), 'refundOrder', [order.terms])))) {
          assert.ok(order.status === 'created' || order.status === 'accepted')
          order.status = 'refunded'
        }
      },
      async () => {
        const order = pick(orders)
        if (!order) return
        const providerBefore = await h.balance(provider.account.address)
        const signature = await h.signFailure(enclave, order.orderId, order.terms, 1)
        if (await attempt(h.send(pick(customers), 'submitFailure', [order.terms, 1, signature]))) {
          assert.equal(order.status, 'accepted', `a ${order.status} order failed (seed ${seed})`)
          order.status = 'failed'
        }
        assert.equal(
          await h.balance(provider.account.address),
          providerBefore,
          'a failure never pays the provider',
        )
      },
      async () => {
        await attempt(h.send(provider, 'stake', [parseEther('5')]))
      },
      async () => {
        await attempt(h.send(provider, 'requestUnstake', [parseEther('5')]))
      },
      async () => {
        await attempt(h.send(provider, 'withdrawUnstaked'))
      },
      async () => {
        await dev.increaseTime(pick([30, 90, 700, 8 * 86_400]))
      },
    ]

    await checkInvariants(0)
    for (let step = 1; step <= steps; step++) {
      await pick(actions)()
      await checkInvariants(step)
    }
    for (const [orderId, payouts] of completedPayouts)
      assert.equal(payouts, 1, `order ${orderId} paid ${payouts} times`)
    assert.ok(orders.length > 5, 'the sequence created orders')
  })
})
