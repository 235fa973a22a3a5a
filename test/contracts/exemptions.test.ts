import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { PrivateKeyAccount } from 'viem/accounts'
import { orderTotal } from '../../src/protocol/orderTerms.ts'
import { label } from '../support/protocolHarness.ts'
import { exposureOf, type Market, type Order, startMarket } from './marketFixture.ts'

/**
 * A missed deadline slashes the provider unless, at the deadline, the registry made delivery
 * impossible: governance had removed the enclave's measurement, or the committee had revoked the
 * enclave. What happens after the deadline, or what the provider does itself, excuses nothing.
 */
describe('the exemption from slashing is judged as of the deadline', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  /** An accepted order on a fresh enclave of the provider (optionally running `measurement`). */
  async function orderOnNewEnclave(measurement?: `0x${string}`) {
    const enclave = await m.registeredEnclave(
      m.dev.signers.provider,
      measurement ? { measurement } : {},
    )
    return { enclave, order: await m.accepted({ enclave: enclave.address }) }
  }
  /** Refunds the order after its deadline; what the provider's stake lost for it. */
  async function refundAfterDeadline(order: Order) {
    const wait = order.terms.deadline - (await m.h.now()) + 1
    if (wait > 0) await m.dev.increaseTime(wait)
    const customer = m.dev.signers.customer
    const customerBefore = await m.h.balance(customer.account.address)
    const { receipt } = await m.h.send(m.dev.signers.stranger, 'refundOrder', [order.terms])
    const { slashed } = m.eventArgs<{ slashed: bigint }>(receipt.logs, 'OrderRefunded')
    assert.equal(
      await m.h.balance(customer.account.address),
      customerBefore + orderTotal(order.terms) + slashed,
    )
    return slashed
  }
  const excused = (enclave: PrivateKeyAccount, order: Order) =>
    m.h.read<boolean>('isExcusedAt', [enclave.address, order.terms.deadline])

  it('slashes when the measurement is removed only after the deadline', async () => {
    const measurement = label('runtime removed late')
    await m.listMeasurement(measurement)
    const { enclave, order } = await orderOnNewEnclave(measurement)
    await m.dev.increaseTime(order.terms.deadline - (await m.h.now()) + 1)
    await m.governed('removeMeasurement', [measurement])
    assert.equal(await m.h.read('isMeasurementAllowed', [measurement]), false)
    assert.equal(await excused(enclave, order), false)
    assert.equal(await refundAfterDeadline(order), exposureOf(order))
  })

  it('does not slash when the measurement was removed before the deadline', async () => {
    const measurement = label('runtime removed in time')
    await m.listMeasurement(measurement)
    const { enclave, order } = await orderOnNewEnclave(measurement)
    await m.governed('removeMeasurement', [measurement])
    assert.ok((await m.h.now()) < order.terms.deadline)
    assert.equal(await excused(enclave, order), true)
    const stakeBefore = await m.stakeOf()
    assert.equal(await refundAfterDeadline(order), 0n)
    assert.equal((await m.stakeOf()).active, stakeBefore.active)
  })

  it('does not slash when the committee revoked the enclave before the deadline', async () => {
    const { enclave, order } = await orderOnNewEnclave()
    const { committeeEpoch, signatures } = await m.revocation(enclave.address)
    await m.h.send(m.dev.signers.stranger, 'revokeEnclaveByCommittee', [
      enclave.address,
      committeeEpoch,
      signatures,
    ])
    const record = await m.h.read<{
      status: number
      revokedAt: number
      revokedByCommittee: boolean
    }>('getEnclave', [enclave.address])
    assert.deepEqual(
      [record.status, record.revokedAt, record.revokedByCommittee],
      [2, await m.h.now(), true],
    )
    assert.equal(await excused(enclave, order), true)
    assert.equal(await refundAfterDeadline(order), 0n)
  })

  it('slashes when the committee revoked the enclave only after the deadline', async () => {
    const { enclave, order } = await orderOnNewEnclave()
    await m.dev.increaseTime(order.terms.deadline - (await m.h.now()) + 1)
    const { committeeEpoch, signatures } = await m.revocation(enclave.address)
    await m.h.send(m.dev.signers.stranger, 'revokeEnclaveByCommittee', [
      enclave.address,
      committeeEpoch,
      signatures,
    ])
    assert.equal(await excused(enclave, order), false)
    assert.equal(await refundAfterDeadline(order), exposureOf(order))
  })

  it('slashes a provider that revoked its own enclave before the deadline', async () => {
    const { enclave, order } = await orderOnNewEnclave()
    await m.h.send(m.dev.signers.provider, 'revokeEnclave', [enclave.address])
    const record = await m.h.read<{ revokedAt: number; revokedByCommittee: boolean }>(
      'getEnclave',
      [enclave.address],
    )
    assert.deepEqual([record.revokedAt, record.revokedByCommittee], [await m.h.now(), false])
    assert.equal(await excused(enclave, order), false)
    assert.equal(await refundAfterDeadline(order), exposureOf(order))
  })
})
