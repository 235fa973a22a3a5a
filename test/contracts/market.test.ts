import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Address, type Hex, keccak256, parseEther, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { boccMarketAbi, boccTokenAbi } from '../../src/chain/artifacts.ts'
import { sendTransaction, TransactionRevertedError } from '../../src/chain/sendTransaction.ts'
import { marketDomain, receiptTypes } from '../../src/protocol/receipt.ts'
import { type DevChain, startDevChain } from '../support/devChain.ts'

const price = parseEther('10')
const hash = (label: string) => keccak256(toHex(label))

describe('BoccMarket', () => {
  let dev: DevChain
  const enclave = privateKeyToAccount(generatePrivateKey())
  let offerId: bigint

  before(async () => {
    dev = await startDevChain()
    const { provider, customer } = dev.signers
    await market(provider, 'registerEnclave', [
      enclave.address,
      hash('hpke'),
      hash('measurement'),
      hash('evidence'),
      hash('block'),
    ])
    await market(provider, 'createOffer', [price])
    offerId = await read('offerCount')
    await token(customer, 'faucet', [parseEther('1000')])
    await token(customer, 'approve', [dev.deployment.market, parseEther('1000')])
  })
  after(() => dev.chain.stop())

  const market = (signer: DevChain['signers']['provider'], functionName: string, args: unknown[]) =>
    sendTransaction(signer, {
      address: dev.deployment.market,
      abi: boccMarketAbi,
      functionName: functionName as never,
      args: args as never,
    })
  const token = (signer: DevChain['signers']['provider'], functionName: string, args: unknown[]) =>
    sendTransaction(signer, {
      address: dev.deployment.token,
      abi: boccTokenAbi,
      functionName: functionName as never,
      args: args as never,
    })
  const read = (functionName: string, args: unknown[] = []) =>
    dev.signers.deployer.publicClient.readContract({
      address: dev.deployment.market,
      abi: boccMarketAbi,
      functionName: functionName as never,
      args: args as never,
    }) as Promise<never>
  const balanceOf = (account: Address) =>
    dev.signers.deployer.publicClient.readContract({
      address: dev.deployment.token,
      abi: boccTokenAbi,
      functionName: 'balanceOf',
      args: [account],
    })

  async function createOrder(deadlineSeconds = 3600) {
    const block = await dev.signers.customer.publicClient.getBlock()
    await market(dev.signers.customer, 'createOrder', [
      offerId,
      enclave.address,
      hash('request'),
      hash('input'),
      hash('solution'),
      block.timestamp + BigInt(deadlineSeconds),
    ])
    return (await read('orderCount')) as bigint
  }

  function signReceipt(orderId: bigint, outputHash: Hex, signer = enclave) {
    return signer.signTypedData({
      domain: marketDomain(dev.deployment.chainId, dev.deployment.market),
      types: receiptTypes,
      primaryType: 'Receipt',
      message: {
        orderId,
        requestHash: hash('request'),
        inputHash: hash('input'),
        solutionHash: hash('solution'),
        outputHash,
      },
    })
  }

  async function rejects(promise: Promise<unknown>, errorName: string) {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof TransactionRevertedError, String(error))
      assert.equal(error.errorName, errorName)
      return true
    })
  }

  it('escrows on order and pays the provider against the enclave receipt, once', async () => {
    const { customer, provider } = dev.signers
    const customerBefore = await balanceOf(customer.account.address)
    const orderId = await createOrder()
    assert.equal(await balanceOf(customer.account.address), customerBefore - price)
    assert.equal(await balanceOf(dev.deployment.market), price)
    const signature = await signReceipt(orderId, hash('output'))
    // Anyone may submit the receipt; what counts is the enclave's signature.
    const { receipt } = await market(dev.signers.stranger, 'submitReceipt', [
      orderId,
      hash('output'),
      signature,
    ])
    assert.equal(receipt.status, 'success')
    const order = (await read('getOrder', [orderId])) as { status: number; outputHash: Hex }
    assert.equal(order.status, 2)
    assert.equal(order.outputHash, hash('output'))
    assert.equal(await read('withdrawable', [provider.account.address]), price)
    await rejects(
      market(provider, 'submitReceipt', [orderId, hash('output'), signature]),
      'OrderNotOpen',
    )
    const providerBefore = await balanceOf(provider.account.address)
    await market(provider, 'withdraw', [])
    assert.equal(await balanceOf(provider.account.address), providerBefore + price)
    await rejects(market(provider, 'withdraw', []), 'NothingToWithdraw')
  })

  it('rejects a receipt signed by any other key, or over other hashes, and keeps the escrow', async () => {
    const orderId = await createOrder()
    const impostor = privateKeyToAccount(generatePrivateKey())
    await rejects(
      market(dev.signers.provider, 'submitReceipt', [
        orderId,
        hash('output'),
        await signReceipt(orderId, hash('output'), impostor),
      ]),
      'InvalidReceiptSigner',
    )
    // Signed by the enclave, but over another output than the one submitted.
    await rejects(
      market(dev.signers.provider, 'submitReceipt', [
        orderId,
        hash('other output'),
        await signReceipt(orderId, hash('output')),
      ]),
      'InvalidReceiptSigner',
    )
    await rejects(
      market(dev.signers.provider, 'submitReceipt', [orderId, hash('output'), '0x1234']),
      'InvalidReceiptSigner',
    )
    const order = (await read('getOrder', [orderId])) as { status: number; escrow: bigint }
    assert.equal(order.status, 1)
    assert.equal(order.escrow, price)
    assert.equal(await balanceOf(dev.deployment.market), price)
  })

  it('refunds after the deadline, to the customer, triggered by anyone; no receipt after that', async () => {
    const orderId = await createOrder(60)
    await rejects(market(dev.signers.stranger, 'refund', [orderId]), 'DeadlineNotPassed')
    await dev.increaseTime(120)
    await rejects(
      market(dev.signers.provider, 'submitReceipt', [
        orderId,
        hash('output'),
        await signReceipt(orderId, hash('output')),
      ]),
      'DeadlinePassed',
    )
    await market(dev.signers.stranger, 'refund', [orderId])
    assert.equal(await read('withdrawable', [dev.signers.customer.account.address]), price)
    await rejects(market(dev.signers.stranger, 'refund', [orderId]), 'OrderNotOpen')
  })

  it('enforces offers, enclaves and deadlines on order creation', async () => {
    const { customer, provider, stranger } = dev.signers
    const block = await customer.publicClient.getBlock()
    const deadline = block.timestamp + 3600n
    const args = (overrides: { offer?: bigint; enclave?: Address; deadline?: bigint }) => [
      overrides.offer ?? offerId,
      overrides.enclave ?? enclave.address,
      hash('request'),
      hash('input'),
      hash('solution'),
      overrides.deadline ?? deadline,
    ]
    await rejects(market(customer, 'createOrder', args({ offer: 999n })), 'OfferNotFound')
    await rejects(
      market(customer, 'createOrder', args({ deadline: block.timestamp - 1n })),
      'DeadlineNotInFuture',
    )
    await rejects(
      market(customer, 'createOrder', args({ enclave: stranger.account.address })),
      'EnclaveNotActive',
    )
    // An enclave of another provider cannot serve this provider's offer.
    const foreign = privateKeyToAccount(generatePrivateKey())
    await market(stranger, 'registerEnclave', [
      foreign.address,
      hash('k'),
      hash('m'),
      hash('e'),
      hash('b'),
    ])
    await rejects(
      market(customer, 'createOrder', args({ enclave: foreign.address })),
      'EnclaveNotOfOfferProvider',
    )
    await rejects(market(stranger, 'setOfferActive', [offerId, false]), 'NotOfferProvider')
    await market(provider, 'setOfferActive', [offerId, false])
    await rejects(market(customer, 'createOrder', args({})), 'OfferNotActive')
    await market(provider, 'setOfferActive', [offerId, true])
    await rejects(
      market(stranger, 'registerEnclave', [
        enclave.address,
        hash('k'),
        hash('m'),
        hash('e'),
        hash('b'),
      ]),
      'EnclaveAlreadyRegistered',
    )
  })

  it('stops a revoked enclave from completing orders; only its provider may revoke it', async () => {
    const orderId = await createOrder()
    await rejects(
      market(dev.signers.stranger, 'revokeEnclave', [enclave.address]),
      'NotEnclaveProvider',
    )
    await market(dev.signers.provider, 'revokeEnclave', [enclave.address])
    await rejects(
      market(dev.signers.provider, 'submitReceipt', [
        orderId,
        hash('output'),
        await signReceipt(orderId, hash('output')),
      ]),
      'EnclaveNotActive',
    )
    await rejects(
      market(dev.signers.customer, 'createOrder', [
        offerId,
        enclave.address,
        hash('r'),
        hash('i'),
        hash('s'),
        2n ** 40n,
      ]),
      'EnclaveNotActive',
    )
  })

  it('caps the test-token faucet', async () => {
    await assert.rejects(
      token(dev.signers.stranger, 'faucet', [parseEther('1000001')]),
      /FaucetLimitExceeded/,
    )
  })
})
