import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Hex, parseEther, toHex } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import type { OrderTerms } from '../../src/protocol/orderTerms.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { label, protocolHarness, zeroHash } from '../support/protocolHarness.ts'

const seed = Number(process.env.BOCC_FUZZ_SEED ?? Date.now() % 1_000_000)
let state = seed >>> 0
/** Seeded random integer in [0, 2^bits) (xorshift), so a failure can be replayed. */
function randomBits(bits: number): bigint {
  let value = 0n
  for (let i = 0; i < bits; i += 32) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    value = (value << 32n) | BigInt(state)
  }
  return value & ((1n << BigInt(bits)) - 1n)
}

describe(`contract fuzzing (seed ${seed}; replay with BOCC_FUZZ_SEED)`, () => {
  let dev: LocalProtocol
  let h: ReturnType<typeof protocolHarness>
  let enclave: PrivateKeyAccount

  before(async () => {
    dev = await startLocalProtocol()
    h = protocolHarness(dev)
    const { provider, customer } = dev.signers
    await h.approve(provider, parseEther('200'))
    await h.send(provider, 'stake', [parseEther('200')])
    const registered = await h.newEnclave(provider)
    enclave = registered.key
    await h.send(provider, 'registerEnclave', [
      registered.registration,
      await h.approvals(registered.registration),
    ])
    await h.approve(customer, parseEther('1000'))
  })
  after(() => dev.stop())

  async function order(teePrice: bigint, solutionPrice: bigint) {
    const { provider, customer, modelVendor } = dev.signers
    const teeOfferId = h.idFrom(
      (await h.send(provider, 'createTeeOffer', [0, teePrice, 100])).receipt.logs,
      'TeeOfferCreated',
    )
    const solutionHash = label(`model ${teeOfferId}`)
    const solutionOfferId = h.idFrom(
      (
        await h.send(modelVendor, 'createSolutionOffer', [
          solutionHash,
          solutionPrice,
          1,
          zeroHash,
          [],
        ])
      ).receipt.logs,
      'SolutionOfferCreated',
    )
    const now = await h.now()
    const { receipt } = await h.send(customer, 'createOrder', [
      {
        enclave: enclave.address,
        teeOfferId,
        solutionOfferId,
        dataOfferId: 0,
        acceptBy: now + 60,
        deadline: now + 600,
        requestHash: label(`request ${teeOfferId}`),
        inputHash: label('i'),
        solutionHash,
        maxPayment: 2n ** 200n,
      },
    ])
    return h.orderFrom(receipt.logs)
  }

  it('escrows exactly the prices plus the fee, for random prices', async () => {
    for (let i = 0; i < 25; i++) {
      const teePrice = randomBits(i % 2 === 0 ? 64 : 8)
      const solutionPrice = randomBits(i % 3 === 0 ? 60 : 16)
      const before = await h.tokenBalance(dev.deployment.protocol)
      const { terms } = await order(teePrice, solutionPrice)
      assert.equal(terms.teePrice, teePrice)
      assert.equal(terms.solutionPrice, solutionPrice)
      assert.equal(terms.fee, ((teePrice + solutionPrice) * 100n) / 10_000n, `seed ${seed}`)
      assert.equal(
        await h.tokenBalance(dev.deployment.protocol),
        before + teePrice + solutionPrice + terms.fee,
      )
    }
  })

  it('refuses any change to an order’s terms, in every field', async () => {
    const placed = await order(parseEther('1'), parseEther('1'))
    await h.send(dev.signers.provider, 'acceptOrder', [placed.terms])
    const fields = Object.keys(placed.terms) as (keyof OrderTerms)[]
    const mutate = (terms: OrderTerms, field: keyof OrderTerms): OrderTerms => {
      const value = terms[field]
      if (typeof value === 'bigint')
        return { ...terms, [field]: (value + 1n + randomBits(40)) % 2n ** 96n }
      if (typeof value === 'number') {
        const bits = field === 'acceptBy' || field === 'deadline' ? 40 : 32
        return {
          ...terms,
          [field]: Number((BigInt(value) + 1n + randomBits(16)) % 2n ** BigInt(bits)),
        }
      }
      const bytes = (value as string).length === 42 ? 20 : 32
      let replacement = toHex(randomBits(bytes * 8), { size: bytes })
      if (replacement.toLowerCase() === (value as string).toLowerCase())
        replacement = toHex(1n, { size: bytes })
      return { ...terms, [field]: replacement as Hex }
    }
    for (let i = 0; i < 120; i++) {
      const field = fields[Number(randomBits(8)) % fields.length] as keyof OrderTerms
      const tampered = mutate(placed.terms, field)
      const signature = await h.signReceipt(enclave, placed.orderId, tampered, label('out'))
      await h.reverts(
        h.send(dev.signers.provider, 'submitReceipt', [tampered, label('out'), signature]),
        'OrderNotFound',
      )
    }
    await h.send(dev.signers.provider, 'submitReceipt', [
      placed.terms,
      label('out'),
      await h.signReceipt(enclave, placed.orderId, placed.terms, label('out')),
    ])
  })

  it('refuses random signatures, and terms of no order', async () => {
    const placed = await order(parseEther('1'), 0n)
    await h.send(dev.signers.provider, 'acceptOrder', [placed.terms])
    for (let i = 0; i < 60; i++) {
      const signature = toHex(randomBits(520), { size: 65 })
      await h.reverts(
        h.send(dev.signers.provider, 'submitReceipt', [placed.terms, label('out'), signature]),
        'InvalidReceiptSigner',
      )
      // Terms of no order: a random request hash.
      const unknown = { ...placed.terms, requestHash: toHex(randomBits(256), { size: 32 }) }
      await h.reverts(h.send(dev.signers.stranger, 'refundOrder', [unknown]), 'OrderNotFound')
    }
  })
})
