import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Address, parseEther, parseEventLogs } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { leasesAbi } from '../../src/chain/abis.ts'
import { closeLease } from '../../src/chain/actions/leases/closeLease.ts'
import { finalizeLease } from '../../src/chain/actions/leases/finalizeLease.ts'
import { getLease } from '../../src/chain/actions/leases/getLease.ts'
import { getLeaseBalance } from '../../src/chain/actions/leases/getLeaseBalance.ts'
import { getLeaseEndpoint } from '../../src/chain/actions/leases/getLeaseEndpoint.ts'
import { getSettledUsage } from '../../src/chain/actions/leases/getSettledUsage.ts'
import { openLease } from '../../src/chain/actions/leases/openLease.ts'
import { proveOverClaim } from '../../src/chain/actions/leases/proveOverClaim.ts'
import { setLeaseEndpoint } from '../../src/chain/actions/leases/setLeaseEndpoint.ts'
import { settleUsage } from '../../src/chain/actions/leases/settleUsage.ts'
import { withdrawLeaseBalance } from '../../src/chain/actions/leases/withdrawLeaseBalance.ts'
import { getTokenBalance } from '../../src/chain/actions/token/getTokenBalance.ts'
import { contestLease, NothingToContestError } from '../../src/client/leases/contestLease.ts'
import { createLeaseUsageRecorder } from '../../src/client/leases/leaseUsageFile.ts'
import {
  leasesDomain,
  leaseUsageTypes,
  type SignedLeaseUsage,
} from '../../src/protocol/leaseUsage.ts'
import { createLeaseFront, memoryLeaseUsageStore } from '../../src/provider/leaseFront.ts'
import { type Market, solutionPrice, startMarket, teePrice } from './marketFixture.ts'

const settlementWindow = 3_600
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

describe('leases: escrow, settlement of signed usage, over-claims, refunds', () => {
  let m: Market
  before(async () => {
    m = await startMarket()
  })
  after(() => m.dev.stop())

  const customer = () => m.dev.signers.customer
  const provider = () => m.dev.signers.provider
  const addressOf = (role: 'customer' | 'provider' | 'modelVendor'): Address =>
    m.dev.signers[role].account.address
  const open = (hours = 2, maxTokens = 1_000n) =>
    openLease(customer(), {
      teeOfferId: m.teeOfferId,
      solutionOfferId: m.solutionOfferId,
      durationSeconds: hours * 3_600,
      maxTokens,
    })
  async function signed(
    leaseId: bigint,
    counters: { tokensIn: number; tokensOut: number; requests: number },
    key: PrivateKeyAccount = m.enclave,
  ): Promise<SignedLeaseUsage> {
    const message = {
      leaseId,
      customer: addressOf('customer'),
      tokensIn: BigInt(counters.tokensIn),
      tokensOut: BigInt(counters.tokensOut),
      requests: BigInt(counters.requests),
    }
    const leases = m.dev.deployment.contracts.leases as Address
    const signature = await key.signTypedData({
      domain: leasesDomain(m.dev.deployment.chainId, leases),
      types: leaseUsageTypes,
      primaryType: 'LeaseUsage',
      message,
    })
    return { ...message, enclave: key.address, signature }
  }
  const balances = async () => ({
    customer: await getLeaseBalance(customer(), { account: addressOf('customer') }),
    provider: await getLeaseBalance(customer(), { account: addressOf('provider') }),
    vendor: await getLeaseBalance(customer(), { account: addressOf('modelVendor') }),
  })

  it('escrows the window and the budget, settles grown usage once, and refunds the rest exactly', async () => {
    const walletBefore = (await getTokenBalance(customer(), { account: addressOf('customer') }))
      .wallet
    const lease = await open(2, 1_000n)
    const escrow = ceilDiv(teePrice * 7_200n, 3_600n) + ceilDiv(solutionPrice * 1_000n, 1_000n)
    assert.equal(lease.escrow, escrow)
    const walletAfter = (await getTokenBalance(customer(), { account: addressOf('customer') }))
      .wallet
    assert.equal(walletBefore - walletAfter, escrow)

    // Two batches: only what grew is claimed; the same usage again is refused.
    await settleUsage(provider(), {
      batch: [await signed(lease.leaseId, { tokensIn: 40, tokensOut: 60, requests: 2 })],
    })
    const second = await signed(lease.leaseId, { tokensIn: 90, tokensOut: 133, requests: 5 })
    await settleUsage(provider(), { batch: [second] })
    await assert.rejects(settleUsage(provider(), { batch: [second] }), /UsageNotIncreasing/)
    await assert.rejects(
      settleUsage(provider(), {
        batch: [await signed(lease.leaseId, { tokensIn: 10, tokensOut: 10, requests: 9 })],
      }),
      /UsageNotIncreasing/,
    )
    assert.equal((await getLease(customer(), { leaseId: lease.leaseId }))?.tokensClaimed, 223n)
    assert.deepEqual(
      await getSettledUsage(customer(), { leaseId: lease.leaseId, enclave: m.enclave.address }),
      { tokensIn: 90n, tokensOut: 133n, requests: 5n },
    )
    // Only the lease's provider settles, and only its own enclaves' signatures count.
    await assert.rejects(settleUsage(customer(), { batch: [second] }), /NotLeaseProvider/)
    const stranger = await m.registeredEnclave(m.dev.signers.stranger)
    await m.dev.increaseTime(0)
    await assert.rejects(
      settleUsage(provider(), {
        batch: [
          await signed(lease.leaseId, { tokensIn: 100, tokensOut: 140, requests: 6 }, stranger),
        ],
      }),
      /EnclaveNotOfProvider/,
    )

    await m.dev.increaseTime(1_800)
    await closeLease(customer(), { leaseId: lease.leaseId })
    await assert.rejects(
      finalizeLease(customer(), { leaseId: lease.leaseId }),
      /LeaseNotFinalizable/,
    )
    // Within the window the provider may still settle what it served before the close.
    await settleUsage(provider(), {
      batch: [await signed(lease.leaseId, { tokensIn: 100, tokensOut: 150, requests: 6 })],
    })
    await m.dev.increaseTime(settlementWindow)
    const before = await balances()
    const paid = await finalizeLease(m.dev.signers.stranger, { leaseId: lease.leaseId })
    const record = await getLease(customer(), { leaseId: lease.leaseId })
    assert.ok(record)
    const used = BigInt(record.closedAt - record.startsAt)
    const providerPaid = ceilDiv(teePrice * used, 3_600n)
    const vendorPaid = ceilDiv(solutionPrice * 250n, 1_000n)
    assert.deepEqual(paid, { providerPaid, vendorPaid, refund: escrow - providerPaid - vendorPaid })
    const after = await balances()
    assert.equal(after.customer - before.customer, escrow - providerPaid - vendorPaid)
    assert.equal(after.provider - before.provider, providerPaid)
    assert.equal(after.vendor - before.vendor, vendorPaid)
    await assert.rejects(
      finalizeLease(customer(), { leaseId: lease.leaseId }),
      /LeaseAlreadyFinalized/,
    )

    const walletBeforeWithdraw = (
      await getTokenBalance(customer(), { account: addressOf('customer') })
    ).wallet
    await withdrawLeaseBalance(customer())
    assert.equal(
      (await getTokenBalance(customer(), { account: addressOf('customer') })).wallet -
        walletBeforeWithdraw,
      after.customer,
    )
    await assert.rejects(withdrawLeaseBalance(customer()), /NothingToWithdraw/)
  })

  it('charges at most the token budget, and an expired lease pays its whole window', async () => {
    const lease = await open(1, 100n)
    await settleUsage(provider(), {
      batch: [await signed(lease.leaseId, { tokensIn: 80, tokensOut: 70, requests: 3 })],
    })
    await m.dev.increaseTime(3_600)
    await assert.rejects(closeLease(customer(), { leaseId: lease.leaseId }), /LeaseAlreadyEnded/)
    await m.dev.increaseTime(settlementWindow + 1)
    await assert.rejects(
      settleUsage(provider(), {
        batch: [await signed(lease.leaseId, { tokensIn: 81, tokensOut: 70, requests: 4 })],
      }),
      /SettlementWindowOver/,
    )
    const paid = await finalizeLease(customer(), { leaseId: lease.leaseId })
    assert.deepEqual(paid, { providerPaid: teePrice, vendorPaid: solutionPrice / 10n, refund: 0n })
  })

  it('voids every charge when the customer holds a signed usage that proves an over-claim', async () => {
    const lease = await open(1, 1_000n)
    const held = await signed(lease.leaseId, { tokensIn: 20, tokensOut: 30, requests: 4 })
    await settleUsage(provider(), {
      batch: [await signed(lease.leaseId, { tokensIn: 20, tokensOut: 300, requests: 4 })],
    })
    // A usage with fewer requests proves nothing: counters grow.
    await assert.rejects(
      proveOverClaim(customer(), {
        usage: await signed(lease.leaseId, { tokensIn: 1, tokensOut: 1, requests: 1 }),
      }),
      /NotAnOverClaim/,
    )
    await assert.rejects(proveOverClaim(provider(), { usage: held }), /NotLeaseCustomer/)
    await proveOverClaim(customer(), { usage: held })
    await m.dev.increaseTime(settlementWindow)
    const paid = await finalizeLease(customer(), { leaseId: lease.leaseId })
    assert.deepEqual(paid, { providerPaid: 0n, vendorPaid: 0n, refund: lease.escrow })
  })

  it('settles what the front collected in one batch, and drops what the contract refuses', async () => {
    const store = memoryLeaseUsageStore()
    const front = createLeaseFront({ enclave: () => undefined, usage: store })
    const lease = await open(1, 1_000n)
    const good = await signed(lease.leaseId, { tokensIn: 3, tokensOut: 4, requests: 1 })
    store.record(good)
    const first = await front.settle(provider())
    assert.deepEqual(first.settled, [good])
    assert.match(String(first.transaction), /^0x[0-9a-f]{64}$/)
    // A stranger's key is no enclave of the provider: that one is refused, the other settles.
    const later = await signed(lease.leaseId, { tokensIn: 5, tokensOut: 6, requests: 2 })
    const forged = await signed(
      lease.leaseId,
      { tokensIn: 1, tokensOut: 1, requests: 1 },
      privateKeyToAccount(generatePrivateKey()),
    )
    store.record(later)
    store.record(forged)
    const second = await front.settle(provider())
    // The reasons given, should the one that settles ever be refused too.
    assert.deepEqual(second.settled, [later], second.refused.map((it) => it.reason).join('; '))
    assert.equal(second.refused.length, 1)
    assert.match(second.refused[0]?.reason ?? '', /EnclaveNotOfProvider/)
    assert.deepEqual(front.unsettled(), [])
    assert.equal(
      (await getSettledUsage(customer(), { leaseId: lease.leaseId, enclave: m.enclave.address }))
        .requests,
      2n,
    )
  })

  it('keeps the lease front URL each provider publishes, with an event', async () => {
    assert.equal(await getLeaseEndpoint(customer(), { provider: addressOf('provider') }), undefined)
    const url = 'https://leases.provider.example:8443'
    const { receipt } = await setLeaseEndpoint(provider(), { url })
    assert.equal(await getLeaseEndpoint(customer(), { provider: addressOf('provider') }), url)
    const [log] = parseEventLogs({
      abi: leasesAbi,
      logs: receipt.logs,
      eventName: 'LeaseEndpointSet',
    })
    assert.deepEqual(log?.args, { provider: addressOf('provider'), url })
    // Keyed by the caller: nobody publishes for another provider.
    await setLeaseEndpoint(customer(), { url: 'https://elsewhere.example' })
    assert.equal(await getLeaseEndpoint(customer(), { provider: addressOf('provider') }), url)
    await assert.rejects(
      setLeaseEndpoint(provider(), { url: `https://${'a'.repeat(250)}` }),
      /LeaseEndpointTooLong/,
    )
    await setLeaseEndpoint(provider(), { url: '' })
    assert.equal(await getLeaseEndpoint(customer(), { provider: addressOf('provider') }), undefined)
  })

  it('contests, from the customer’s own record, a provider that settles more than was signed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'bocc-lease-usage-'))
    try {
      const record = async (leaseId: bigint, usage: SignedLeaseUsage) =>
        createLeaseUsageRecorder(
          directory,
          leaseId,
        )({
          leaseId: String(usage.leaseId),
          customer: usage.customer,
          enclave: usage.enclave,
          tokensIn: String(usage.tokensIn),
          tokensOut: String(usage.tokensOut),
          requests: String(usage.requests),
          signature: usage.signature,
        })
      // The enclave (a faulty one: its key signed two contradicting usages) gave the customer 3
      // requests, 40 tokens; the provider settles 3 requests with 400 tokens out.
      const cheated = await open(1, 1_000n)
      await record(
        cheated.leaseId,
        await signed(cheated.leaseId, { tokensIn: 10, tokensOut: 30, requests: 3 }),
      )
      await settleUsage(provider(), {
        batch: [await signed(cheated.leaseId, { tokensIn: 10, tokensOut: 400, requests: 3 })],
      })
      const contested = await contestLease(customer(), {
        leaseId: cheated.leaseId,
        usageDirectory: directory,
      })
      assert.equal(contested.enclave, m.enclave.address)
      assert.deepEqual(contested.held, { tokensIn: 10n, tokensOut: 30n, requests: 3n })
      assert.deepEqual(contested.settled, { tokensIn: 10n, tokensOut: 400n, requests: 3n })
      assert.equal((await getLease(customer(), { leaseId: cheated.leaseId }))?.overClaimed, true)
      await assert.rejects(
        contestLease(customer(), { leaseId: cheated.leaseId, usageDirectory: directory }),
        /an over-claim was already proven/,
      )

      // The customer's record is older than what settled (the provider is right): nothing to contest.
      const honest = await open(1, 1_000n)
      await record(
        honest.leaseId,
        await signed(honest.leaseId, { tokensIn: 10, tokensOut: 30, requests: 3 }),
      )
      // An earlier usage arriving late does not replace the later one in the record.
      await record(
        honest.leaseId,
        await signed(honest.leaseId, { tokensIn: 5, tokensOut: 5, requests: 1 }),
      )
      await settleUsage(provider(), {
        batch: [await signed(honest.leaseId, { tokensIn: 12, tokensOut: 400, requests: 4 })],
      })
      await assert.rejects(
        contestLease(customer(), { leaseId: honest.leaseId, usageDirectory: directory }),
        (error: unknown) =>
          error instanceof NothingToContestError &&
          /settled 4 requests, and your record of it is older \(3\)/.test(error.shortMessage) &&
          !error.shortMessage.includes('\n'),
      )
      await assert.rejects(
        contestLease(customer(), { leaseId: 999n, usageDirectory: directory }),
        /lease 999 does not exist/,
      )
      assert.equal((await getLease(customer(), { leaseId: honest.leaseId }))?.overClaimed, false)
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })

  it('refuses leases it cannot price or serve', async () => {
    await assert.rejects(open(0), /DurationOutOfRange/)
    await assert.rejects(open(1, 0n), /ZeroTokenBudget/)
    const sgxOnly = await m.newSolutionOffer('sgx model', parseEther('1'), { hardwareMask: 0b1000 })
    await assert.rejects(
      openLease(customer(), {
        teeOfferId: m.teeOfferId,
        solutionOfferId: sgxOnly,
        durationSeconds: 60,
        maxTokens: 10n,
      }),
      /SolutionNotAllowedOnTeeOffer/,
    )
  })
})
