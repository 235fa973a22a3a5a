import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Hex, type TypedDataDomain, toHex } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { TransactionRevertedError } from '../../src/chain/writeContractAndWait.ts'
import { failureReasons } from '../../src/protocol/failureReasons.ts'
import { orderTotal } from '../../src/protocol/orderTerms.ts'
import { failureTypes, marketDomain, receiptTypes } from '../../src/protocol/receipt.ts'
import { label } from '../support/protocolHarness.ts'
import {
  compactForm,
  exposureOf,
  type Market,
  malleableTwin,
  type Order,
  startMarket,
} from './marketFixture.ts'

/** What the enclave signs for an order (receipts and failures), and every way to misuse it. */
describe('enclave statements: receipts and failures', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  const submitReceipt = (receipt: Awaited<ReturnType<Market['receiptFor']>>, signature: Hex) =>
    m.submitReceipt({ ...receipt, signature }, m.dev.signers.stranger)
  const submitFailure = (order: Order, reason: number, signature: Hex) =>
    m.h.send(m.dev.signers.stranger, 'submitFailure', [order.terms, reason, signature])

  /** The market's EIP-712 domain with one field changed. */
  const domainWith = (change: Partial<TypedDataDomain>) => ({
    ...marketDomain(m.dev.deployment.chainId, m.dev.deployment.contracts.market),
    ...change,
  })
  const signReceiptIn = (
    domain: TypedDataDomain,
    order: Order,
    outputHash: Hex,
    wrappedResultKey: Hex,
    key: PrivateKeyAccount = m.enclave,
  ) =>
    key.signTypedData({
      domain,
      types: receiptTypes,
      primaryType: 'Receipt',
      message: { orderId: order.orderId, outputHash, wrappedResultKey },
    })
  const signFailureIn = (domain: TypedDataDomain, order: Order, reason: number) =>
    m.enclave.signTypedData({
      domain,
      types: failureTypes,
      primaryType: 'Failure',
      message: { orderId: order.orderId, reason },
    })
  const otherDomains = async (): Promise<[string, TypedDataDomain][]> => [
    ['another chain', domainWith({ chainId: 1 })],
    ['the registry', domainWith({ verifyingContract: m.dev.deployment.contracts.registry })],
    ['the market’s delegate', domainWith({ verifyingContract: await m.h.read<Hex>('exits') })],
    ['protocol v1', domainWith({ version: '1' })],
    ['another name', domainWith({ name: 'NOT BOCC' })],
  ]

  it('pays only for a receipt by the order’s enclave over exactly its output and sealed key', async () => {
    const { h } = m
    const order = await m.accepted()
    const receipt = await m.receiptFor(order)
    const impostor = (await h.newEnclave(m.dev.signers.provider)).key
    const forged = await m.receiptFor(order, { key: impostor })
    await h.reverts(submitReceipt(receipt, forged.signature), 'InvalidEnclaveSignature')
    await h.reverts(
      submitReceipt({ ...receipt, outputHash: label('other output') }, receipt.signature),
      'InvalidEnclaveSignature',
    )
    await h.reverts(
      submitReceipt({ ...receipt, wrappedResultKey: toHex('another key') }, receipt.signature),
      'InvalidEnclaveSignature',
    )
    await h.reverts(submitReceipt(receipt, '0x1234'), 'InvalidEnclaveSignature')
    await h.reverts(submitReceipt(receipt, '0x'), 'InvalidEnclaveSignature')
    await h.reverts(
      submitReceipt(
        { ...receipt, terms: { ...order.terms, inputHash: label('other input') } },
        receipt.signature,
      ),
      'OrderNotFound',
    )
    assert.equal(await m.status(order.orderId), 'accepted')
    await submitReceipt(receipt, receipt.signature)
    assert.equal(await m.status(order.orderId), 'completed')
    // Replayed: the order is paid once.
    await h.reverts(submitReceipt(receipt, receipt.signature), 'WrongOrderStatus')
  })

  it('refuses replayed, malleable and cross-domain receipts', async () => {
    const { h } = m
    const [first, second] = [await m.accepted(), await m.accepted()]
    if (!first || !second) throw new Error('unreachable')
    const receipt = await m.receiptFor(first)
    // The first order's receipt does not complete the second, with the same output and key.
    await h.reverts(
      submitReceipt({ ...receipt, terms: second.terms }, receipt.signature),
      'InvalidEnclaveSignature',
    )
    // The other valid-looking encodings of the same signature.
    await h.reverts(
      submitReceipt(receipt, malleableTwin(receipt.signature)),
      'InvalidEnclaveSignature',
    )
    await h.reverts(
      submitReceipt(receipt, compactForm(receipt.signature)),
      'InvalidEnclaveSignature',
    )
    // Signed for another chain, another contract, another version or name of the protocol.
    for (const [name, domain] of await otherDomains()) {
      const signature = await signReceiptIn(
        domain,
        first,
        receipt.outputHash,
        receipt.wrappedResultKey,
      )
      await h
        .reverts(submitReceipt(receipt, signature), 'InvalidEnclaveSignature')
        .catch((error) => {
          throw new Error(`a receipt signed for ${name}: ${error}`)
        })
    }
    // A failure signature is no receipt.
    await h.reverts(
      submitReceipt(receipt, await h.signFailure(m.enclave, first.orderId, 1)),
      'InvalidEnclaveSignature',
    )
    await submitReceipt(receipt, receipt.signature)
    const secondReceipt = await m.receiptFor(second)
    await submitReceipt(secondReceipt, secondReceipt.signature)
  })

  it('checks the answer to a challenge in the market’s own domain, not its delegate’s', async () => {
    const { h } = m
    const order = await m.accepted()
    const { delivered } = await m.deliver(order)
    await h.send(m.dev.signers.customer, 'challengeDelivery', [order.terms])
    const answer = (signature: Hex) => m.answerChallenge({ ...delivered, signature })
    for (const [, domain] of await otherDomains())
      await h.reverts(
        answer(
          await signReceiptIn(domain, order, delivered.outputHash, delivered.wrappedResultKey),
        ),
        'InvalidEnclaveSignature',
      )
    await h.reverts(answer(malleableTwin(delivered.signature)), 'InvalidEnclaveSignature')
    await answer(delivered.signature)
    assert.equal(await m.status(order.orderId), 'completed')
  })

  it('ends an order with the enclave’s signed failure for every reason code: refund, no slash', async () => {
    const { h } = m
    const codes = Object.values(failureReasons)
    assert.deepEqual(codes, [1, 2, 3, 4, 5, 6, 7, 8])
    const orders = []
    for (const _ of codes) orders.push(await m.accepted())
    const customer = m.dev.signers.customer.account.address
    const provider = m.dev.signers.provider.account.address
    const stakeBefore = await m.stakeOf()
    const providerOwed = await m.owed(provider)
    const active = async () =>
      (await h.read<{ activeOrders: number }>('getTeeOffer', [m.teeOfferId])).activeOrders
    const activeBefore = await active()
    for (const [i, code] of codes.entries()) {
      const order = orders[i] as Order
      const signature = await h.signFailure(m.enclave, order.orderId, code)
      const customerBefore = await h.balance(customer)
      const { receipt } = await submitFailure(order, code, signature)
      assert.deepEqual(m.eventArgs(receipt.logs, 'OrderFailed'), {
        orderId: order.orderId,
        enclave: m.enclave.address,
        reason: code,
        signature,
      })
      assert.equal(await h.balance(customer), customerBefore + orderTotal(order.terms))
      assert.equal(await m.status(order.orderId), 'failed')
    }
    assert.deepEqual(await m.stakeOf(), {
      ...stakeBefore,
      locked: stakeBefore.locked - orders.reduce((sum, order) => sum + exposureOf(order), 0n),
    })
    assert.equal(await m.owed(provider), providerOwed)
    assert.equal(await active(), activeBefore - codes.length)
    // A failed order is over: no receipt, refund or second failure.
    const [failed] = orders as [Order]
    await h.reverts(m.deliver(failed), 'WrongOrderStatus')
    await h.reverts(
      h.send(m.dev.signers.customer, 'refundOrder', [failed.terms]),
      'WrongOrderStatus',
    )
    await h.reverts(
      submitFailure(failed, 1, await h.signFailure(m.enclave, failed.orderId, 1)),
      'WrongOrderStatus',
    )
  })

  it('refuses a failure without a reason, with an unknown reason, by another key, or misused', async () => {
    const { h } = m
    const order = await m.accepted()
    await h.reverts(
      submitFailure(order, 0, await h.signFailure(m.enclave, order.orderId, 0)),
      'InvalidFailureReason',
    )
    // Code 9 is no FailureReason: the call's arguments do not decode (a revert without data).
    await assert.rejects(
      submitFailure(order, 9, await h.signFailure(m.enclave, order.orderId, 9)),
      (error) =>
        error instanceof TransactionRevertedError &&
        error.errorArgs.length === 0 &&
        [undefined, 'execution reverted'].includes(error.errorName),
    )
    const signature = await h.signFailure(m.enclave, order.orderId, 2)
    await h.reverts(submitFailure(order, 3, signature), 'InvalidEnclaveSignature')
    const impostor = (await h.newEnclave(m.dev.signers.provider)).key
    await h.reverts(
      submitFailure(order, 2, await h.signFailure(impostor, order.orderId, 2)),
      'InvalidEnclaveSignature',
    )
    await h.reverts(submitFailure(order, 2, malleableTwin(signature)), 'InvalidEnclaveSignature')
    for (const [, domain] of await otherDomains())
      await h.reverts(
        submitFailure(order, 2, await signFailureIn(domain, order, 2)),
        'InvalidEnclaveSignature',
      )
    // Another order's failure does not end this one.
    const other = await m.accepted()
    await h.reverts(submitFailure(other, 2, signature), 'InvalidEnclaveSignature')
    // Not before acceptance, not after the deadline.
    const created = await m.create()
    await h.reverts(
      submitFailure(created, 2, await h.signFailure(m.enclave, created.orderId, 2)),
      'WrongOrderStatus',
    )
    await m.dev.increaseTime(721)
    await h.reverts(submitFailure(order, 2, signature), 'DeadlinePassed')
    for (const late of [order, other])
      await h.send(m.dev.signers.customer, 'refundOrder', [late.terms])
  })

  it('refuses statements of a revoked enclave or of one whose measurement was removed', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const measurement = label('runtime to be removed')
    await m.listMeasurement(measurement)
    const enclave = await m.registeredEnclave(provider, { measurement })
    const onRemoved = await m.accepted({ enclave: enclave.address })
    const revoked = await m.registeredEnclave(provider)
    const onRevoked = await m.accepted({ enclave: revoked.address })
    await m.governed('removeMeasurement', [measurement])
    await h.send(provider, 'revokeEnclave', [revoked.address])
    for (const [order, key] of [
      [onRemoved, enclave],
      [onRevoked, revoked],
    ] as const) {
      const receipt = await m.receiptFor(order, { key })
      await h.reverts(submitReceipt(receipt, receipt.signature), 'EnclaveNotUsable')
      await h.reverts(
        submitFailure(order, 1, await h.signFailure(key, order.orderId, 1)),
        'EnclaveNotUsable',
      )
    }
    // New orders on them are refused too.
    await h.reverts(m.create({ enclave: enclave.address }), 'EnclaveNotUsable')
    await h.reverts(m.create({ enclave: revoked.address }), 'EnclaveNotUsable')
  })
})
