import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Address, type Hex, parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { SignerConnection } from '../../src/chain/connectChain.ts'
import { type OrderTerms, orderTotal } from '../../src/protocol/orderTerms.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { label, protocolHarness, zeroHash } from '../support/protocolHarness.ts'

const teePrice = parseEther('3')
const solutionPrice = parseEther('2')
const dataPrice = parseEther('1')
let ordersMade = 0

describe('orders', () => {
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  let enclave: PrivateKeyAccount
  let teeOfferId: number
  let solutionOfferId: number
  let dataOfferId: number
  let customer: SignerConnection
  let provider: SignerConnection

  before(async () => {
    dev = await startLocalProtocol()
    h = protocolHarness(dev)
    ;({ customer, provider } = dev.signers)
    await h.approve(provider, parseEther('200'))
    await h.send(provider, 'stake', [parseEther('200')])
    const registered = await h.newEnclave(provider, { expiresAt: (await h.now()) + 30 * 86_400 })
    enclave = registered.key
    await h.send(provider, 'registerEnclave', [
      registered.registration,
      await h.approvals(registered.registration),
    ])
    teeOfferId = h.idFrom(
      (await h.send(provider, 'createTeeOffer', [0, teePrice, 2])).receipt.logs,
      'TeeOfferCreated',
    )
    solutionOfferId = h.idFrom(
      (
        await h.send(dev.signers.modelVendor, 'createSolutionOffer', [
          label('model'),
          solutionPrice,
          1,
          zeroHash,
          [],
        ])
      ).receipt.logs,
      'SolutionOfferCreated',
    )
    dataOfferId = h.idFrom(
      (
        await h.send(dev.signers.stranger, 'createDataOffer', [
          label('dataset'),
          dataPrice,
          [solutionOfferId],
          [teeOfferId],
        ])
      ).receipt.logs,
      'DataOfferCreated',
    )
    await h.approve(customer, parseEther('500'))
    await h.send(customer, 'deposit', [parseEther('100')])
  })
  after(() => dev.stop())

  async function params(overrides: Record<string, unknown> = {}) {
    const now = await h.now()
    return {
      enclave: enclave.address,
      teeOfferId,
      solutionOfferId,
      dataOfferId: 0,
      acceptBy: now + 120,
      deadline: now + 720,
      // Unique per order: equal terms would be the same order.
      requestHash: label(`request ${++ordersMade}`),
      inputHash: label('input'),
      solutionHash: label('model'),
      maxPayment: parseEther('100'),
      ...overrides,
    }
  }
  async function create(overrides: Record<string, unknown> = {}, signer = customer) {
    const { receipt } = await h.send(signer, 'createOrder', [await params(overrides)])
    return h.orderFrom(receipt.logs)
  }
  async function accepted(overrides: Record<string, unknown> = {}) {
    const order = await create(overrides)
    await h.send(provider, 'acceptOrder', [order.terms])
    return order
  }
  const receipt = (
    order: { orderId: bigint; terms: OrderTerms },
    outputHash: Hex = label('output'),
    key = enclave,
  ) => h.signReceipt(key, order.orderId, order.terms, outputHash)
  const submit = async (
    order: { orderId: bigint; terms: OrderTerms },
    outputHash: Hex = label('output'),
    key = enclave,
  ) =>
    h.send(provider, 'submitReceipt', [
      order.terms,
      outputHash,
      await receipt(order, outputHash, key),
    ])
  const status = (orderId: bigint) => h.read<number>('getOrderStatus', [orderId])
  const statuses = { created: 1, accepted: 2, completed: 3, cancelled: 4, refunded: 5 }

  /** Every account that can hold a balance in these tests. */
  const accounts = () => Object.values(dev.signers).map((signer) => signer.account.address)
  async function balances() {
    return Object.fromEntries(
      await Promise.all(accounts().map(async (account) => [account, await h.balance(account)])),
    ) as Record<Address, bigint>
  }

  it('escrows prices plus the fee, and a receipt splits them to provider, solution owner, data owner and fee receiver', async () => {
    const before = await balances()
    const order = await create({ dataOfferId })
    const { terms } = order
    assert.deepEqual(
      [terms.teePrice, terms.solutionPrice, terms.dataPrice],
      [teePrice, solutionPrice, dataPrice],
    )
    assert.equal(terms.fee, ((teePrice + solutionPrice + dataPrice) * 100n) / 10_000n)
    assert.equal(terms.customer, customer.account.address)
    assert.equal(
      await h.balance(customer.account.address),
      (before[customer.account.address] ?? 0n) - orderTotal(terms),
    )
    assert.equal(await status(order.orderId), statuses.created)
    await h.reverts(submit(order), 'WrongOrderStatus')
    await h.send(provider, 'acceptOrder', [order.terms])
    await submit(order)
    assert.equal(await status(order.orderId), statuses.completed)
    const after = await balances()
    assert.equal(
      after[provider.account.address] ?? 0n,
      (before[provider.account.address] ?? 0n) + teePrice,
    )
    assert.equal(
      after[dev.signers.modelVendor.account.address] ?? 0n,
      (before[dev.signers.modelVendor.account.address] ?? 0n) + solutionPrice,
    )
    assert.equal(
      after[dev.signers.stranger.account.address] ?? 0n,
      (before[dev.signers.stranger.account.address] ?? 0n) + dataPrice,
    )
    assert.equal(
      after[dev.signers.deployer.account.address] ?? 0n,
      (before[dev.signers.deployer.account.address] ?? 0n) + terms.fee,
    )
    // Paid once only.
    await h.reverts(submit(order), 'WrongOrderStatus')
    await h.reverts(h.send(customer, 'refundOrder', [order.terms]), 'WrongOrderStatus')
  })

  it('pulls the shortfall from the wallet when the balance does not cover the escrow', async () => {
    const { stranger } = dev.signers
    await h.approve(stranger, parseEther('10'))
    const wallet = await h.tokenBalance(stranger.account.address)
    const balance = await h.balance(stranger.account.address)
    const order = await create({}, stranger)
    assert.ok(balance < orderTotal(order.terms))
    assert.equal(await h.balance(stranger.account.address), 0n)
    assert.equal(
      await h.tokenBalance(stranger.account.address),
      wallet - (orderTotal(order.terms) - balance),
    )
    await h.send(stranger, 'cancelOrder', [order.terms])
  })

  it('refuses orders that break an offer’s rules', async () => {
    await h.reverts(create({ teeOfferId: 999 }), 'OfferNotFound')
    await h.reverts(create({ solutionOfferId: 999 }), 'OfferNotFound')
    await h.reverts(create({ dataOfferId: 999 }), 'OfferNotFound')
    await h.reverts(create({ solutionHash: label('another model') }), 'SolutionMismatch')
    await h.reverts(create({ maxPayment: teePrice }), 'PaymentAboveMaximum')
    const now = await h.now()
    await h.reverts(create({ acceptBy: now }), 'InvalidDeadlines')
    await h.reverts(create({ acceptBy: now + 100, deadline: now + 50 }), 'InvalidDeadlines')
    await h.reverts(create({ deadline: now + 2 * 86_400 }), 'InvalidDeadlines')
    await h.reverts(create({ enclave: dev.signers.stranger.account.address }), 'EnclaveNotActive')
    // A data offer restricted to one solution refuses orders without it.
    await h.reverts(
      create({ dataOfferId, solutionOfferId: 0, solutionHash: label('own model') }),
      'SolutionOfferNotAllowed',
    )
    // A solution offer that runs only on other hardware, or only on other TEE offers.
    const tdxOnly = h.idFrom(
      (
        await h.send(dev.signers.modelVendor, 'createSolutionOffer', [
          label('tdx model'),
          1n,
          0b10,
          zeroHash,
          [],
        ])
      ).receipt.logs,
      'SolutionOfferCreated',
    )
    await h.reverts(
      create({ solutionOfferId: tdxOnly, solutionHash: label('tdx model') }),
      'HardwareNotAllowed',
    )
    const elsewhere = h.idFrom(
      (
        await h.send(dev.signers.modelVendor, 'createSolutionOffer', [
          label('pinned'),
          1n,
          1,
          zeroHash,
          [teeOfferId + 1000],
        ])
      ).receipt.logs,
      'SolutionOfferCreated',
    )
    await h.reverts(
      create({ solutionOfferId: elsewhere, solutionHash: label('pinned') }),
      'TeeOfferNotAllowed',
    )
    await h.send(dev.signers.modelVendor, 'setSolutionOfferActive', [elsewhere, false])
    await h.reverts(
      create({ solutionOfferId: elsewhere, solutionHash: label('pinned') }),
      'SolutionOfferNotActive',
    )
    await h.send(provider, 'setTeeOfferActive', [teeOfferId, false])
    await h.reverts(create(), 'TeeOfferNotActive')
    await h.send(provider, 'setTeeOfferActive', [teeOfferId, true])
    // A data offer restricted to other TEE offers, a disabled data offer, and the same terms twice.
    const elsewhereData = h.idFrom(
      (
        await h.send(dev.signers.stranger, 'createDataOffer', [
          label('private data'),
          1n,
          [],
          [teeOfferId + 1000],
        ])
      ).receipt.logs,
      'DataOfferCreated',
    )
    await h.reverts(create({ dataOfferId: elsewhereData }), 'TeeOfferNotAllowed')
    await h.send(dev.signers.stranger, 'setDataOfferActive', [elsewhereData, false])
    await h.reverts(create({ dataOfferId: elsewhereData }), 'DataOfferNotActive')
    const twice = await params()
    await h.send(customer, 'createOrder', [twice])
    await h.reverts(h.send(customer, 'createOrder', [twice]), 'OrderAlreadyExists')
    // An enclave of another provider cannot serve this provider's offer.
    const foreign = await h.newEnclave(dev.signers.stranger)
    await h.send(dev.signers.stranger, 'registerEnclave', [
      foreign.registration,
      await h.approvals(foreign.registration),
    ])
    await h.reverts(create({ enclave: foreign.key.address }), 'EnclaveNotOfOfferProvider')
  })

  it('lets only the offer’s staked provider accept, within capacity and before acceptBy', async () => {
    const order = await create()
    await h.reverts(h.send(dev.signers.stranger, 'acceptOrder', [order.terms]), 'NotOrderProvider')
    await h.reverts(
      h.send(provider, 'acceptOrder', [{ ...order.terms, teePrice: 1n }]),
      'OrderNotFound',
    )
    const [second, third] = [await create(), await create()]
    await h.send(provider, 'acceptOrders', [[order.terms, second.terms]])
    await h.reverts(h.send(provider, 'acceptOrder', [third.terms]), 'OfferAtCapacity')
    // Completing both frees the capacity; receipts in one batch.
    const outputs = [order, second].map(async (item) => ({
      terms: item.terms,
      outputHash: label('out'),
      signature: await receipt(item, label('out')),
    }))
    await h.send(provider, 'submitReceipts', [await Promise.all(outputs)])
    assert.equal(await status(second.orderId), statuses.completed)
    // Below the minimum stake, no acceptance.
    await h.send(provider, 'requestUnstake', [parseEther('150')])
    await h.reverts(h.send(provider, 'acceptOrder', [third.terms]), 'StakeBelowMinimum')
    await h.approve(provider, parseEther('150'))
    await h.send(provider, 'stake', [parseEther('150')])
    await dev.increaseTime(121)
    await h.reverts(h.send(provider, 'acceptOrder', [third.terms]), 'AcceptDeadlinePassed')
    await h.send(dev.signers.stranger, 'refundOrder', [third.terms])
  })

  it('pays only for a receipt by the order’s enclave over the order’s hashes, before the deadline', async () => {
    const order = await accepted()
    const impostor = (await h.newEnclave(provider)).key
    await h.reverts(submit(order, label('output'), impostor), 'InvalidReceiptSigner')
    await h.reverts(
      h.send(provider, 'submitReceipt', [order.terms, label('other output'), await receipt(order)]),
      'InvalidReceiptSigner',
    )
    await h.reverts(
      h.send(provider, 'submitReceipt', [order.terms, label('output'), '0x1234']),
      'InvalidReceiptSigner',
    )
    await h.reverts(
      h.send(provider, 'submitReceipt', [
        { ...order.terms, inputHash: label('other input') },
        label('output'),
        await receipt(order),
      ]),
      'OrderNotFound',
    )
    await dev.increaseTime(721)
    await h.reverts(submit(order), 'DeadlinePassed')
    await h.send(dev.signers.stranger, 'refundOrder', [order.terms])
  })

  it('refuses receipts from a revoked enclave or a removed measurement', async () => {
    const order = await accepted()
    const measurement = (await h.read<{ measurement: Hex }>('getEnclave', [enclave.address]))
      .measurement
    await h.send(dev.signers.deployer, 'removeMeasurement', [measurement])
    await h.reverts(submit(order), 'MeasurementNotAllowed')
    // Past the deadline the order is refunded, without slashing: the provider could not deliver.
    await dev.increaseTime(721)
    const [stakeBefore] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    await h.send(customer, 'refundOrder', [order.terms])
    const [stakeAfter] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    assert.equal(stakeAfter, stakeBefore)
    await h.send(dev.signers.deployer, 'proposeMeasurement', [measurement, 'relisted'])
    await dev.increaseTime(86_400)
    const fresh = await accepted()
    await submit(fresh)
    assert.equal(await status(fresh.orderId), statuses.completed)

    // A revoked enclave's receipts do not pay.
    const other = await h.newEnclave(provider)
    await h.send(provider, 'registerEnclave', [
      other.registration,
      await h.approvals(other.registration),
    ])
    const onOther = await accepted({ enclave: other.key.address })
    await h.send(provider, 'revokeEnclave', [other.key.address])
    await h.reverts(submit(onOther, label('output'), other.key), 'EnclaveNotActive')
    await dev.increaseTime(721)
    await h.send(customer, 'refundOrder', [onOther.terms])
  })

  it('ends an order with the enclave’s signed failure: the escrow goes back, nobody is slashed', async () => {
    const order = await accepted()
    const signature = await h.signFailure(enclave, order.orderId, order.terms, 2)
    await h.reverts(
      h.send(dev.signers.stranger, 'submitFailure', [order.terms, 0, signature]),
      'InvalidFailureReason',
    )
    await h.reverts(
      h.send(dev.signers.stranger, 'submitFailure', [order.terms, 3, signature]),
      'InvalidFailureReason',
    )
    await h.reverts(
      h.send(dev.signers.stranger, 'submitFailure', [order.terms, 1, signature]),
      'InvalidReceiptSigner',
    )
    const impostor = (await h.newEnclave(provider)).key
    await h.reverts(
      h.send(dev.signers.stranger, 'submitFailure', [
        order.terms,
        2,
        await h.signFailure(impostor, order.orderId, order.terms, 2),
      ]),
      'InvalidReceiptSigner',
    )
    const notAccepted = await create()
    await h.reverts(
      h.send(dev.signers.stranger, 'submitFailure', [
        notAccepted.terms,
        2,
        await h.signFailure(enclave, notAccepted.orderId, notAccepted.terms, 2),
      ]),
      'WrongOrderStatus',
    )
    await h.send(customer, 'cancelOrder', [notAccepted.terms])
    const customerBefore = await h.balance(customer.account.address)
    const providerBefore = await h.balance(provider.account.address)
    const [stakeBefore] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    const offerBefore = await h.read<{ activeOrders: number }>('getTeeOffer', [teeOfferId])
    await h.send(dev.signers.stranger, 'submitFailure', [order.terms, 2, signature])
    assert.equal(await status(order.orderId), 6)
    assert.equal(
      await h.balance(customer.account.address),
      customerBefore + orderTotal(order.terms),
    )
    assert.equal(await h.balance(provider.account.address), providerBefore)
    assert.deepEqual(
      (await h.read<[bigint, bigint, number]>('stakeOf', [provider.account.address]))[0],
      stakeBefore,
    )
    assert.equal(
      (await h.read<{ activeOrders: number }>('getTeeOffer', [teeOfferId])).activeOrders,
      offerBefore.activeOrders - 1,
    )
    await h.reverts(submit(order), 'WrongOrderStatus')
    await h.reverts(h.send(customer, 'refundOrder', [order.terms]), 'WrongOrderStatus')
    await h.reverts(
      h.send(dev.signers.stranger, 'submitFailure', [order.terms, 2, signature]),
      'WrongOrderStatus',
    )
  })

  it('cancels before acceptance only, by the customer, refunding everything', async () => {
    const before = await h.balance(customer.account.address)
    const order = await create()
    await h.reverts(h.send(dev.signers.stranger, 'cancelOrder', [order.terms]), 'NotOrderCustomer')
    await h.send(customer, 'cancelOrder', [order.terms])
    assert.equal(await h.balance(customer.account.address), before)
    assert.equal(await status(order.orderId), statuses.cancelled)
    await h.reverts(h.send(customer, 'cancelOrder', [order.terms]), 'WrongOrderStatus')
    await h.reverts(h.send(provider, 'acceptOrder', [order.terms]), 'WrongOrderStatus')
    const acceptedOrder = await accepted()
    await h.reverts(h.send(customer, 'cancelOrder', [acceptedOrder.terms]), 'WrongOrderStatus')
    await submit(acceptedOrder)
  })

  it('refunds after a missed deadline to the customer, with part of the provider’s stake', async () => {
    const before = await h.balance(customer.account.address)
    const [stakeBefore] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    const order = await accepted()
    await h.reverts(h.send(dev.signers.stranger, 'refundOrder', [order.terms]), 'RefundNotYetDue')
    await dev.increaseTime(721)
    const providerBalance = await h.balance(provider.account.address)
    await h.send(dev.signers.stranger, 'refundOrder', [order.terms])
    const slashed = (orderTotal(order.terms) * 5_000n) / 10_000n
    assert.equal(await h.balance(customer.account.address), before + slashed)
    const [stakeAfter] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    assert.equal(stakeAfter, stakeBefore - slashed)
    assert.equal(await h.balance(provider.account.address), providerBalance)
    assert.equal(await status(order.orderId), statuses.refunded)
    await h.reverts(h.send(dev.signers.stranger, 'refundOrder', [order.terms]), 'WrongOrderStatus')
    // An order never accepted is refunded after acceptBy, without slashing.
    const unaccepted = await create()
    await h.reverts(
      h.send(dev.signers.stranger, 'refundOrder', [unaccepted.terms]),
      'RefundNotYetDue',
    )
    await dev.increaseTime(121)
    await h.send(dev.signers.stranger, 'refundOrder', [unaccepted.terms])
    const [stakeLater] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    assert.equal(stakeLater, stakeAfter)
  })

  it('slashes unstaking stake too, so a provider cannot run from an order', async () => {
    const order = await accepted()
    const [active, unstakingBefore] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    await h.send(provider, 'requestUnstake', [active])
    await dev.increaseTime(721)
    await h.send(customer, 'refundOrder', [order.terms])
    const [activeAfter, unstaking] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider.account.address,
    ])
    assert.equal(activeAfter, 0n)
    assert.equal(unstaking, unstakingBefore + active - (orderTotal(order.terms) * 5_000n) / 10_000n)
  })
})
