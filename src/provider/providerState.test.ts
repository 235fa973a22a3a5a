import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { zeroAddress } from 'viem'
import { type OrderTerms, orderIdOf } from '../protocol/orderTerms.ts'
import { openProviderState } from './providerState.ts'

const identity = {
  chainId: 31337,
  market: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  provider: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
} as const

const terms = (acceptBy: number): OrderTerms => ({
  customer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  enclave: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  solutionVendor: zeroAddress,
  dataVendor: zeroAddress,
  teeOfferId: 1,
  solutionOfferId: 0,
  dataOfferId: 0,
  acceptBy,
  deadline: acceptBy + 600,
  teePrice: 2n,
  solutionPrice: 0n,
  dataPrice: 0n,
  fee: 0n,
  requestHash: `0x${'11'.repeat(32)}`,
  inputHash: `0x${'22'.repeat(32)}`,
  solutionHash: `0x${'33'.repeat(32)}`,
  dataHash: `0x${'00'.repeat(32)}`,
})

describe('provider state', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'bocc-state-'))
  after(() => rm(directory, { recursive: true, force: true }))

  it('keeps orders, their statements and the scan position across reopenings', () => {
    const state = openProviderState(directory, identity)
    state.setOfferId(1, 10n)
    const first = terms(1_000)
    const second = terms(900)
    const orders = [first, second].map((order, index) => ({
      orderId: orderIdOf(order),
      terms: order,
      blockNumber: 12n + BigInt(index),
      blockHash: `0x${'aa'.repeat(32)}` as const,
      state: 'queued' as const,
    }))
    state.recordScan({ number: 20n, hash: `0x${'bb'.repeat(32)}` }, orders)
    state.setState([orderIdOf(first)], 'accepted')
    state.setExecuted(
      orderIdOf(first),
      { outputHash: `0x${'44'.repeat(32)}`, wrappedResultKey: '0x55', signature: '0x66' },
      0.5,
    )
    state.close()

    const reopened = openProviderState(directory, identity)
    assert.equal(reopened.offerId(), 1)
    assert.equal(reopened.lastScannedBlock(), 20n)
    const executed = reopened.order(orderIdOf(first))
    assert.equal(executed?.state, 'executed')
    assert.deepEqual(executed?.terms, first)
    assert.deepEqual(executed?.statement, {
      outputHash: `0x${'44'.repeat(32)}`,
      wrappedResultKey: '0x55',
      signature: '0x66',
    })
    // Earliest acceptBy first.
    assert.deepEqual(
      reopened.ordersIn(['queued', 'executed']).map((order) => order.orderId),
      [orderIdOf(second), orderIdOf(first)],
    )
    // A statement is stored only for an order still accepted: a late job cannot undo a hand-back.
    reopened.setState([orderIdOf(second)], 'handingBack')
    reopened.setExecuted(orderIdOf(second), { failure: 1, signature: '0x77' }, 1)
    assert.equal(reopened.order(orderIdOf(second))?.state, 'handingBack')
    // A reorg forgets what it had not acted on beyond the fork.
    reopened.setState([orderIdOf(second)], 'queued')
    reopened.rewindTo(12n)
    assert.equal(reopened.order(orderIdOf(second)), undefined)
    assert.equal(reopened.order(orderIdOf(first))?.state, 'executed')
    assert.equal(reopened.lastScannedBlock(), 12n)
    reopened.close()
  })

  it('keeps the latest unsettled lease usage per lease and enclave across reopenings', () => {
    const enclave = '0x90F79bf6EB2c4f870365E785982E1f101E93b906' as const
    const usage = (requests: bigint) => ({
      leaseId: 7n,
      customer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as const,
      enclave,
      tokensIn: 10n * requests,
      tokensOut: 20n * requests,
      requests,
      signature: `0x${'ab'.repeat(65)}` as const,
    })
    const state = openProviderState(directory, identity)
    state.recordLeaseUsage(usage(2n))
    state.recordLeaseUsage(usage(1n))
    state.recordLeaseUsage({ ...usage(1n), leaseId: 8n })
    state.close()
    const reopened = openProviderState(directory, identity)
    assert.deepEqual(
      reopened.unsettledLeaseUsage().sort((a, b) => Number(a.leaseId - b.leaseId)),
      [usage(2n), { ...usage(1n), leaseId: 8n }],
    )
    // Settling the usage of 2 requests while 3 arrived forgets nothing: 3 is still to settle.
    reopened.recordLeaseUsage(usage(3n))
    reopened.forgetLeaseUsage(usage(2n))
    reopened.forgetLeaseUsage({ ...usage(1n), leaseId: 8n })
    assert.deepEqual(reopened.unsettledLeaseUsage(), [usage(3n)])
    reopened.close()
  })

  it('refuses a state directory of another provider or deployment', () => {
    assert.throws(
      () => openProviderState(directory, { ...identity, chainId: 1 }),
      /belongs to another provider or deployment/,
    )
  })
})
