import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { protocolHarness } from '../support/protocolHarness.ts'

describe('accounts and provider stakes', () => {
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  before(async () => {
    dev = await startLocalProtocol()
    h = protocolHarness(dev)
  })
  after(() => dev.stop())

  it('deposits and withdraws only the caller’s own balance', async () => {
    const { customer, stranger } = dev.signers
    const wallet = await h.tokenBalance(customer.account.address)
    await h.approve(customer, parseEther('10'))
    await h.send(customer, 'deposit', [parseEther('10')])
    assert.equal(await h.balance(customer.account.address), parseEther('10'))
    assert.equal(await h.tokenBalance(customer.account.address), wallet - parseEther('10'))
    await h.reverts(h.send(stranger, 'withdraw', [1n]), 'InsufficientBalance')
    await h.reverts(h.send(customer, 'withdraw', [parseEther('11')]), 'InsufficientBalance')
    await h.reverts(h.send(customer, 'withdraw', [0n]), 'ZeroAmount')
    await h.reverts(h.send(customer, 'deposit', [0n]), 'ZeroAmount')
    await h.send(customer, 'withdraw', [parseEther('4')])
    assert.equal(await h.balance(customer.account.address), parseEther('6'))
    assert.equal(await h.tokenBalance(customer.account.address), wallet - parseEther('6'))
  })

  it('stakes, and releases unstaked tokens only after the delay', async () => {
    const { stranger } = dev.signers
    const provider = stranger.account.address
    await h.approve(stranger, parseEther('150'))
    await h.send(stranger, 'stake', [parseEther('150')])
    assert.deepEqual(await h.read('stakeOf', [provider]), [parseEther('150'), 0n, 0])
    await h.reverts(h.send(stranger, 'requestUnstake', [parseEther('151')]), 'InsufficientStake')
    await h.reverts(h.send(stranger, 'requestUnstake', [0n]), 'ZeroAmount')
    await h.reverts(h.send(stranger, 'withdrawUnstaked'), 'NothingToWithdraw')
    await h.send(stranger, 'requestUnstake', [parseEther('50')])
    const [active, unstaking, unlockAt] = await h.read<[bigint, bigint, number]>('stakeOf', [
      provider,
    ])
    assert.equal(active, parseEther('100'))
    assert.equal(unstaking, parseEther('50'))
    assert.equal(unlockAt, (await h.now()) + 7 * 86_400)
    await h.reverts(h.send(stranger, 'withdrawUnstaked'), 'UnstakeLocked')
    await dev.increaseTime(7 * 86_400)
    const wallet = await h.tokenBalance(provider)
    await h.send(stranger, 'withdrawUnstaked')
    assert.equal(await h.tokenBalance(provider), wallet + parseEther('50'))
    await h.reverts(h.send(stranger, 'withdrawUnstaked'), 'NothingToWithdraw')
  })
})
