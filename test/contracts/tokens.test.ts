import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  maxUint256,
  parseEther,
  toFunctionSelector,
  zeroAddress,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { marketAbi } from '../../src/chain/abis.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { writeContractAndWait } from '../../src/chain/writeContractAndWait.ts'
import { type OrderTerms, orderIdOf } from '../../src/protocol/orderTerms.ts'
import type { LocalProtocol } from '../support/localProtocol.ts'
import { startLocalProtocol } from '../support/localProtocol.ts'
import { label, protocolHarness, zeroHash } from '../support/protocolHarness.ts'
import { type Market, startMarket } from './marketFixture.ts'
import { deployTestContract, firstContractAddressOf, testContract } from './testContracts.ts'

/** The `stranger` role deploys the test token first, so its address is known before the deployment. */
const tokenDeployer = privateKeyToAccount(devPrivateKey(devRoles.stranger)).address
const tokenAddress = firstContractAddressOf(tokenDeployer)

/** Deploys test token `name` at {@link tokenAddress} and mints `amount` to every dev role. */
async function handOutTestToken(dev: LocalProtocol, name: string, amount = parseEther('1000')) {
  assert.equal(getAddress(await deployTestContract(dev.signers.stranger, name)), tokenAddress)
  for (const signer of Object.values(dev.signers))
    await mint(signer, signer.account.address, amount)
}
const mint = (signer: LocalProtocol['signers']['stranger'], to: Address, amount: bigint) =>
  writeContractAndWait(signer, {
    address: tokenAddress,
    abi: testContract('MintableTestToken').abi as never,
    functionName: 'mint' as never,
    args: [to, amount] as never,
  })

describe('a fee-on-transfer payment token is refused', () => {
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  before(async () => {
    dev = await startLocalProtocol({ token: tokenAddress })
    await handOutTestToken(dev, 'FeeOnTransferTestToken')
    h = protocolHarness(dev)
  })
  after(() => dev.stop())

  it('refuses deposits, stakes and orders paid from the wallet that deliver less than asked', async () => {
    const { provider, customer } = dev.signers
    const amount = parseEther('100')
    const received = amount - amount / 100n
    for (const signer of [provider, customer]) await h.approve(signer, maxUint256)
    await h.reverts(h.send(customer, 'deposit', [amount]), 'UnsupportedTokenTransfer')
    await h.reverts(h.send(provider, 'stake', [amount]), 'UnsupportedTokenTransfer')
    // The error names both amounts.
    await assert.rejects(h.send(customer, 'deposit', [amount]), (error) => {
      assert.deepEqual((error as { errorArgs: unknown[] }).errorArgs, [amount, received])
      return true
    })
    const { key, registration } = await h.newEnclave(provider)
    await h.register(provider, registration)
    const teeOfferId = h.idFrom(
      (await h.send(provider, 'createTeeOffer', [0, parseEther('3'), 5])).receipt.logs,
      'TeeOfferCreated',
    )
    const now = await h.now()
    await h.reverts(
      h.send(customer, 'createOrder', [
        {
          enclave: key.address,
          teeOfferId,
          solutionOfferId: 0,
          dataOfferId: 0,
          acceptBy: now + 120,
          deadline: now + 720,
          requestHash: label('request'),
          inputHash: label('input'),
          solutionHash: zeroHash,
          maxPayment: parseEther('10'),
        },
      ]),
      'UnsupportedTokenTransfer',
    )
    assert.equal(await h.tokenBalance(dev.deployment.contracts.market), 0n)
  })
})

/**
 * An ERC-777-style token that calls its holders' hooks on every transfer, and an attacker whose
 * account is a contract that calls the market again from inside the hook.
 */
describe('re-entry from a token hook', () => {
  let m: Market
  let attacker: Address
  const attackerAbi = () => testContract('ReentrantAccount').abi
  before(async () => {
    m = await startMarket(
      { token: tokenAddress },
      {
        prepare: (dev) => handOutTestToken(dev, 'CallbackTestToken'),
      },
    )
    const { customer } = m.dev.signers
    attacker = await deployTestContract(customer, 'ReentrantAccount', [
      m.dev.deployment.contracts.market,
    ])
    await mint(customer, attacker, parseEther('100'))
    const tokenAbi = testContract('CallbackTestToken').abi
    await act(tokenAddress, tokenAbi, 'approve', [m.dev.deployment.contracts.market, maxUint256])
    await act(tokenAddress, tokenAbi, 'setHooked', [true])
  })
  after(() => m.dev.stop())

  /** The attacker's account makes a call (its owner, the customer role, sends it). */
  function act(
    target: Address,
    abi: readonly unknown[],
    functionName: string,
    args: unknown[] = [],
  ) {
    return writeContractAndWait(m.dev.signers.customer, {
      address: attacker,
      abi: attackerAbi() as never,
      functionName: 'execute' as never,
      args: [
        target,
        encodeFunctionData({ abi: abi as never, functionName, args } as never),
      ] as never,
    })
  }
  const onMarket = (functionName: string, args: unknown[] = []) =>
    act(m.dev.deployment.contracts.market, marketAbi, functionName, args)
  const marketCall = (functionName: string, args: unknown[] = []) =>
    encodeFunctionData({ abi: marketAbi, functionName, args } as never)
  /** Arms the hook with a market call to make from inside the next token transfer. */
  const reenterWith = (data: Hex) =>
    writeContractAndWait(m.dev.signers.customer, {
      address: attacker,
      abi: attackerAbi() as never,
      functionName: 'setReentry' as never,
      args: [data] as never,
    })
  const attempt = async () => {
    const read = (functionName: string) =>
      m.h.client.readContract({
        address: attacker,
        abi: attackerAbi() as never,
        functionName,
      } as never)
    return {
      attempted: await read('reentryAttempted'),
      succeeded: await read('reentrySucceeded'),
      result: (await read('reentryResult')) as Hex,
    }
  }
  const guardRefused = {
    attempted: true,
    succeeded: false,
    result: toFunctionSelector('ReentrancyGuardReentrantCall()'),
  }

  it('refuses to re-enter withdraw, deposit and stake from inside a token transfer', async () => {
    const { h } = m
    const market = m.dev.deployment.contracts.market
    await reenterWith('0x')
    await onMarket('deposit', [parseEther('10')])
    const held = await h.tokenBalance(market)
    const wallet = await h.tokenBalance(attacker)
    // Withdraw, and from the transfer out withdraw again.
    await reenterWith(marketCall('withdraw', [parseEther('10')]))
    await onMarket('withdraw', [parseEther('10')])
    assert.deepEqual(await attempt(), guardRefused)
    assert.equal(await h.tokenBalance(attacker), wallet + parseEther('10'))
    assert.equal(await h.tokenBalance(market), held - parseEther('10'))
    assert.equal(await h.balance(attacker), 0n)
    // Deposit, and from the transfer in deposit or stake again.
    for (const call of [
      marketCall('deposit', [parseEther('5')]),
      marketCall('stake', [parseEther('5')]),
    ]) {
      await reenterWith(call)
      await onMarket('deposit', [parseEther('10')])
      assert.deepEqual(await attempt(), guardRefused)
    }
    assert.equal(await h.balance(attacker), parseEther('20'))
    assert.equal(await h.tokenBalance(market), held + parseEther('10'))
  })

  it('refuses to re-enter withdrawUnstaked, and pays the unstaked amount once', async () => {
    const { h } = m
    await reenterWith('0x')
    await onMarket('stake', [parseEther('10')])
    await onMarket('requestUnstake', [parseEther('10')])
    await m.dev.increaseTime(await h.read<number>('unstakeDelay'))
    const wallet = await h.tokenBalance(attacker)
    await reenterWith(marketCall('withdrawUnstaked'))
    await onMarket('withdrawUnstaked')
    assert.deepEqual(await attempt(), guardRefused)
    assert.equal(await h.tokenBalance(attacker), wallet + parseEther('10'))
    assert.deepEqual((await m.stakeOf(attacker)).unstaking, 0n)
  })

  it('refuses to re-enter createOrder; an unguarded re-entry (cancelling the order being paid) moves nothing it should not', async () => {
    const { h } = m
    const market = m.dev.deployment.contracts.market
    await onMarket('withdraw', [await h.balance(attacker)])
    const now = await h.now()
    const params = (request: string) => ({
      enclave: m.enclave.address,
      teeOfferId: m.teeOfferId,
      solutionOfferId: 0,
      dataOfferId: 0,
      acceptBy: now + 120,
      deadline: now + 720,
      requestHash: label(request),
      inputHash: label('input'),
      solutionHash: zeroHash,
      maxPayment: parseEther('10'),
    })
    await reenterWith(marketCall('createOrder', [params('nested order')]))
    await onMarket('createOrder', [params('outer order')])
    assert.deepEqual(await attempt(), guardRefused)
    // The terms of the next order are known in advance, so the hook can cancel it mid-payment.
    const teePrice = (await h.read<{ price: bigint }>('getTeeOffer', [m.teeOfferId])).price
    const terms: OrderTerms = {
      customer: attacker,
      enclave: m.enclave.address,
      solutionVendor: zeroAddress,
      dataVendor: zeroAddress,
      teeOfferId: m.teeOfferId,
      solutionOfferId: 0,
      dataOfferId: 0,
      acceptBy: now + 120,
      deadline: now + 720,
      teePrice,
      solutionPrice: 0n,
      dataPrice: 0n,
      fee: teePrice / 100n,
      requestHash: label('cancelled while paid'),
      inputHash: label('input'),
      solutionHash: zeroHash,
      dataHash: zeroHash,
    }
    const held = await h.tokenBalance(market)
    const wallet = await h.tokenBalance(attacker)
    await reenterWith(marketCall('cancelOrder', [terms]))
    await onMarket('createOrder', [params('cancelled while paid')])
    const { attempted, succeeded } = await attempt()
    assert.deepEqual([attempted, succeeded], [true, true])
    assert.equal(await m.status(orderIdOf(terms)), 'cancelled')
    // The attacker paid the whole price and holds exactly that as balance: nothing gained.
    const total = teePrice + terms.fee
    assert.equal(await h.tokenBalance(attacker), wallet - total)
    assert.equal(await h.balance(attacker), total)
    assert.equal(await h.tokenBalance(market), held + total)
  })
})

describe('amounts too large for their storage revert instead of wrapping', () => {
  let m: Market
  const maxUint96 = 2n ** 96n - 1n
  before(async () => {
    m = await startMarket(
      { token: tokenAddress, feeBps: 10_000 },
      { prepare: (dev) => handOutTestToken(dev, 'MintableTestToken') },
    )
  })
  after(() => m.dev.stop())

  it('refuses a stake over uint128', async () => {
    const { h } = m
    const { provider } = m.dev.signers
    const huge = 2n ** 128n
    await mint(provider, provider.account.address, huge)
    await h.approve(provider, maxUint256)
    await assert.rejects(h.send(provider, 'stake', [huge]), (error) => {
      assert.deepEqual(
        [(error as { errorName: string }).errorName, (error as { errorArgs: unknown[] }).errorArgs],
        ['SafeCastOverflowedUintDowncast', [128, huge]],
      )
      return true
    })
    const before = await m.stakeOf()
    await h.send(provider, 'stake', [huge - 1n - before.active])
    assert.equal((await m.stakeOf()).active, huge - 1n)
  })

  it('refuses an order whose fee does not fit in uint96', async () => {
    const { h } = m
    const { provider, customer } = m.dev.signers
    const teeOfferId = await m.newTeeOffer(provider, maxUint96)
    const solutionOfferId = await m.newSolutionOffer('priceless', maxUint96)
    await mint(customer, customer.account.address, 2n ** 100n)
    await h.approve(customer, maxUint256)
    await assert.rejects(
      m.create({
        teeOfferId,
        solutionOfferId,
        solutionHash: label('priceless'),
        maxPayment: maxUint256,
      }),
      (error) => {
        assert.deepEqual(
          [
            (error as { errorName: string }).errorName,
            (error as { errorArgs: unknown[] }).errorArgs,
          ],
          ['SafeCastOverflowedUintDowncast', [96, 2n * maxUint96]],
        )
        return true
      },
    )
  })
})
