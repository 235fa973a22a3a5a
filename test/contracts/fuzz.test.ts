import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Hex, parseEther, toHex } from 'viem'
import { TransactionRevertedError } from '../../src/chain/writeContractAndWait.ts'
import { type OrderTerms, orderTotal } from '../../src/protocol/orderTerms.ts'
import { label } from '../support/protocolHarness.ts'
import { defaults, type Market, type Order, startMarket } from './marketFixture.ts'

const seed = Number(process.env.BOCC_FUZZ_SEED ?? Date.now() % 1_000_000)
let state = seed >>> 0 || 1
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
const randomInt = (below: number) => Number(randomBits(32) % BigInt(below))

describe(`contract fuzzing (seed ${seed}; replay with BOCC_FUZZ_SEED)`, () => {
  let m: Market
  before(async () => {
    m = await startMarket()
    await m.h.approve(m.dev.signers.stranger, 2n ** 255n)
  })
  after(() => m.dev.stop())

  /** An order on fresh offers with these prices, paid from the stranger's wallet. */
  async function order(teePrice: bigint, solutionPrice: bigint, dataPrice: bigint) {
    const { provider, stranger } = m.dev.signers
    const teeOfferId = await m.newTeeOffer(provider, teePrice, 100)
    const solutionHash = label(`model ${teeOfferId}`)
    const solutionOfferId = await m.newSolutionOffer(`model ${teeOfferId}`, solutionPrice)
    const dataOfferId = await m.newDataOffer(`data ${teeOfferId}`, dataPrice)
    return m.create(
      { teeOfferId, solutionOfferId, dataOfferId, solutionHash, maxPayment: 2n ** 200n },
      stranger,
    )
  }

  it('escrows exactly the prices plus the fee, for random prices', async () => {
    const { h } = m
    for (let i = 0; i < 20; i++) {
      const prices = [
        randomBits(i % 2 === 0 ? 64 : 8),
        randomBits(i % 3 === 0 ? 60 : 16),
        randomBits(i % 4 === 0 ? 40 : 4),
      ] as const
      const before = await h.tokenBalance(m.dev.deployment.contracts.market)
      const { terms } = await order(...prices)
      assert.deepEqual(
        [terms.teePrice, terms.solutionPrice, terms.dataPrice],
        prices,
        `seed ${seed}`,
      )
      assert.equal(
        terms.fee,
        ((prices[0] + prices[1] + prices[2]) * defaults.feeBps) / 10_000n,
        `seed ${seed}`,
      )
      assert.equal(
        await h.tokenBalance(m.dev.deployment.contracts.market),
        before + orderTotal(terms),
      )
    }
  })

  it('refuses any change to an order’s terms, in every field, in every call that takes them', async () => {
    const { h } = m
    const { provider, stranger } = m.dev.signers
    const placed = await order(parseEther('1'), parseEther('1'), parseEther('1'))
    await h.send(provider, 'acceptOrder', [placed.terms])
    const receipt = await m.receiptFor(placed)
    const failure = await h.signFailure(m.enclave, placed.orderId, 5)
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
    const calls: [string, (terms: OrderTerms) => unknown[], typeof provider][] = [
      [
        'submitReceipt',
        (terms) => [terms, receipt.outputHash, receipt.wrappedResultKey, receipt.signature],
        stranger,
      ],
      ['submitFailure', (terms) => [terms, 5, failure], stranger],
      ['refundOrder', (terms) => [terms], stranger],
      ['handBackOrder', (terms) => [terms], provider],
      ['acceptOrder', (terms) => [terms], provider],
      ['cancelOrder', (terms) => [terms], stranger],
    ]
    for (let i = 0; i < 90; i++) {
      const field = fields[randomInt(fields.length)] as keyof OrderTerms
      const [functionName, args, signer] = calls[randomInt(calls.length)] as (typeof calls)[number]
      await h
        .reverts(h.send(signer, functionName, args(mutate(placed.terms, field))), 'OrderNotFound')
        .catch((error) => {
          throw new Error(`${functionName} with ${field} changed (seed ${seed}): ${error}`)
        })
    }
    await m.submitReceipt(receipt, stranger)
  })

  it('refuses random signatures and random changes to a valid receipt or failure', async () => {
    const { h } = m
    const { stranger } = m.dev.signers
    const placed: Order = await order(parseEther('1'), 0n, 0n)
    await h.send(m.dev.signers.provider, 'acceptOrder', [placed.terms])
    const receipt = await m.receiptFor(placed)
    const submit = (outputHash: Hex, wrappedResultKey: Hex, signature: Hex) =>
      m.submitReceipt({ ...receipt, outputHash, wrappedResultKey, signature }, stranger)
    /** `hex` with one random bit flipped. */
    const flip = (hex: Hex): Hex => {
      const bytes = Buffer.from(hex.slice(2), 'hex')
      const bit = randomInt(bytes.length * 8)
      bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7))
      return `0x${bytes.toString('hex')}`
    }
    for (let i = 0; i < 40; i++) {
      const length = [65, 65, 64, 0, 1 + randomInt(100)][randomInt(5)] as number
      const random = length === 0 ? '0x' : toHex(randomBits(length * 8), { size: length })
      await h.reverts(
        submit(receipt.outputHash, receipt.wrappedResultKey, random),
        'InvalidEnclaveSignature',
      )
      const [outputHash, wrappedResultKey, signature] = [
        receipt.outputHash,
        receipt.wrappedResultKey,
        receipt.signature,
      ]
      const which = randomInt(3)
      await h
        .reverts(
          submit(
            which === 0 ? flip(outputHash) : outputHash,
            which === 1 ? flip(wrappedResultKey) : wrappedResultKey,
            which === 2 ? flip(signature) : signature,
          ),
          'InvalidEnclaveSignature',
        )
        .catch((error) => {
          // A flipped bit of v makes an invalid v; other flips recover another signer. Either way: refused.
          if (!(error instanceof Error)) throw error
          throw new Error(`a changed receipt (part ${which}, seed ${seed}): ${error.message}`)
        })
      const reason = 1 + randomInt(8)
      const failure = await h.signFailure(m.enclave, placed.orderId, reason)
      await h.reverts(
        h.send(stranger, 'submitFailure', [placed.terms, reason, flip(failure)]),
        'InvalidEnclaveSignature',
      )
    }
    // Reason codes beyond the enum do not even decode.
    for (let i = 0; i < 5; i++) {
      const reason = 9 + randomInt(247)
      await assert.rejects(
        h.send(stranger, 'submitFailure', [
          placed.terms,
          reason,
          await h.signFailure(m.enclave, placed.orderId, reason),
        ]),
        (error) => error instanceof TransactionRevertedError && error.errorArgs.length === 0,
      )
    }
    await submit(receipt.outputHash, receipt.wrappedResultKey, receipt.signature)
  })

  it('finds no order behind random terms', async () => {
    const { h } = m
    const placed = await order(1n, 0n, 0n)
    for (let i = 0; i < 40; i++) {
      const unknown = { ...placed.terms, requestHash: toHex(randomBits(256), { size: 32 }) }
      await h.reverts(h.send(m.dev.signers.stranger, 'refundOrder', [unknown]), 'OrderNotFound')
    }
  })
})
