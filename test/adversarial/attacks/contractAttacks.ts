import assert from 'node:assert/strict'
import { encodeFunctionData, type Hex, parseEther, type TypedDataDomain } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { registryAbi } from '../../../src/chain/abis.ts'
import { runGovernanceStepWithOwners } from '../../../src/chain/actions/governance/governanceCall.ts'
import { acceptOrders } from '../../../src/chain/actions/market/acceptOrders.ts'
import { submitReceipts } from '../../../src/chain/actions/market/submitReceipts.ts'
import { orderExitsAbi } from '../../../src/chain/artifacts.ts'
import {
  TransactionRevertedError,
  writeContractAndWait,
} from '../../../src/chain/writeContractAndWait.ts'
import { enclaveApprovalTypes } from '../../../src/protocol/enclaveApproval.ts'
import { orderTotal } from '../../../src/protocol/orderTerms.ts'
import { marketDomain, receiptTypes } from '../../../src/protocol/receipt.ts'
import {
  compactForm,
  defaults,
  exposureOf,
  malleableTwin,
  type Order,
} from '../../contracts/marketFixture.ts'
import { label } from '../../support/protocolHarness.ts'
import type { Attack } from '../attack.ts'
import type { ContractWorld } from '../contractWorld.ts'

type ContractAttack = Attack<ContractWorld>

/** Asserts the transaction was refused on-chain, with `errorName` when given. */
async function refused(promise: Promise<unknown>, errorName?: string): Promise<void> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TransactionRevertedError) {
      if (errorName && error.errorName !== errorName)
        throw new Error(`refused with ${error.errorName}, expected ${errorName}`)
      return
    }
    if (!errorName) return
    throw error
  }
  throw new Error('the chain accepted it')
}

const receiptIn = (
  key: PrivateKeyAccount,
  domain: TypedDataDomain,
  order: Order,
  outputHash: Hex,
  wrappedResultKey: Hex,
) =>
  key.signTypedData({
    domain,
    types: receiptTypes,
    primaryType: 'Receipt',
    message: { orderId: order.orderId, outputHash, wrappedResultKey },
  })

/** The order is still accepted and nobody was paid for it. */
async function unpaid(world: ContractWorld, order: Order): Promise<void> {
  assert.equal(await world.m.status(order.orderId), 'accepted', 'the order stays unpaid')
}

/**
 * Attacks on the contracts themselves, on their own chain, by a provider holding its enclave's
 * key, a customer, governance keys and committee members. The committee attacks come last: they
 * change the committee.
 */
export const contractAttacks: ContractAttack[] = [
  {
    id: 'A-01',
    actor: 'provider',
    title: 'get paid with a receipt signed by a key that is not the order’s enclave',
    async run(world) {
      const order = await world.accepted()
      const impostor = privateKeyToAccount(generatePrivateKey())
      await refused(
        world.m.submitReceipt(await world.m.receiptFor(order, { key: impostor })),
        'InvalidEnclaveSignature',
      )
      // Nor one over another output than the enclave signed.
      const receipt = await world.m.receiptFor(order)
      await refused(
        world.m.submitReceipt({ ...receipt, outputHash: label('other output') }),
        'InvalidEnclaveSignature',
      )
      await unpaid(world, order)
      await world.m.submitReceipt(receipt)
    },
  },
  {
    id: 'A-02',
    actor: 'provider',
    title: 'replay one order’s receipt for another order, or twice',
    async run(world) {
      const [first, second] = [await world.accepted(), await world.accepted()]
      const receipt = await world.m.receiptFor(first)
      await refused(
        world.m.submitReceipt({ ...receipt, terms: second.terms }),
        'InvalidEnclaveSignature',
      )
      await world.m.submitReceipt(receipt)
      await refused(world.m.submitReceipt(receipt), 'WrongOrderStatus')
      await unpaid(world, second)
      await world.m.deliver(second)
    },
  },
  {
    id: 'A-03',
    actor: 'provider',
    title: 'pass a malleable twin or a compact form of a receipt signature',
    async run(world) {
      const order = await world.accepted()
      const receipt = await world.m.receiptFor(order)
      for (const signature of [malleableTwin(receipt.signature), compactForm(receipt.signature)])
        await refused(world.m.submitReceipt({ ...receipt, signature }), 'InvalidEnclaveSignature')
      await unpaid(world, order)
      await world.m.submitReceipt(receipt)
    },
  },
  {
    id: 'A-04',
    actor: 'provider',
    title: 'use a receipt signed for another chain, contract, protocol version or name',
    async run(world) {
      const { m } = world
      const order = await world.accepted()
      const receipt = await m.receiptFor(order)
      const home = marketDomain(m.dev.deployment.chainId, m.dev.deployment.contracts.market)
      for (const change of [
        { chainId: 1 },
        { verifyingContract: m.dev.deployment.contracts.registry },
        { verifyingContract: await m.h.read<Hex>('exits') },
        { version: '1' },
        { name: 'NOT BOCC' },
      ]) {
        const signature = await receiptIn(
          m.enclave,
          { ...home, ...change },
          order,
          receipt.outputHash,
          receipt.wrappedResultKey,
        )
        await refused(m.submitReceipt({ ...receipt, signature }), 'InvalidEnclaveSignature')
      }
      await unpaid(world, order)
      await m.submitReceipt(receipt)
    },
  },
  {
    id: 'A-05',
    actor: 'provider',
    title:
      'deliver after the deadline (and reveal the result key in a transaction that does not pay)',
    async run(world) {
      const { m } = world
      const order = await world.accepted()
      const late = await m.receiptFor(order)
      await m.dev.increaseTime(order.terms.deadline - (await m.h.now()) + 1)
      await refused(m.submitReceipt(late), 'DeadlinePassed')
      const outcome = await submitReceipts(m.dev.signers.provider, { receipts: [late] })
      assert.deepEqual(outcome.done, [], 'a batch skips the late receipt')
      await unpaid(world, order)
      const customerBefore = await m.owed(m.dev.signers.customer.account.address)
      await m.h.send(m.dev.signers.stranger, 'refundOrder', [order.terms])
      assert.equal(
        await m.owed(m.dev.signers.customer.account.address),
        customerBefore + orderTotal(order.terms) + exposureOf(order),
        'the customer gets the escrow and the slash',
      )
    },
  },
  {
    id: 'A-06',
    actor: 'provider',
    title: 'get paid for a receipt and withhold the output',
    async run(world) {
      const { m } = world
      const { customer, provider, stranger } = m.dev.signers
      const order = await world.accepted()
      const providerOwed = await m.owed(provider.account.address)
      await m.deliver(order)
      await m.h.send(customer, 'challengeDelivery', [order.terms])
      assert.equal(
        await m.owed(provider.account.address),
        providerOwed,
        'the challenge claws the payout back',
      )
      await refused(m.h.send(stranger, 'refundOrder', [order.terms]), 'RefundNotYetDue')
      await m.dev.increaseTime(defaults.responseWindow + 1)
      const stake = await m.stakeOf()
      const customerOwed = await m.owed(customer.account.address)
      await m.h.send(stranger, 'refundOrder', [order.terms])
      assert.equal((await m.stakeOf()).active, stake.active - exposureOf(order), 'slashed')
      assert.equal(
        await m.owed(customer.account.address),
        customerOwed + orderTotal(order.terms) + defaults.challengeBond + exposureOf(order),
      )
      assert.equal(await m.owed(provider.account.address), providerOwed, 'never paid')
    },
  },
  {
    id: 'A-07',
    actor: 'provider',
    title: 'escape the slash by unstaking right after accepting',
    async run(world) {
      const { m } = world
      const { provider, stranger } = m.dev.signers
      const order = await world.accepted()
      const start = await m.stakeOf()
      await refused(m.h.send(provider, 'requestUnstake', [start.active]), 'InsufficientStake')
      await m.h.send(provider, 'requestUnstake', [start.active - start.locked])
      await m.dev.increaseTime(order.terms.deadline - (await m.h.now()) + 1)
      await refused(m.h.send(provider, 'withdrawUnstaked'), 'UnstakeLocked')
      const before = await m.stakeOf()
      await m.h.send(stranger, 'refundOrder', [order.terms])
      const after = await m.stakeOf()
      assert.equal(
        after.active + after.unstaking,
        before.active + before.unstaking - exposureOf(order),
      )
      // Stake again, for the attacks that follow.
      await world.fund()
      await m.h.send(provider, 'stake', [parseEther('300')])
    },
  },
  {
    id: 'A-08',
    actor: 'provider',
    title: 'accept more exposure than its stake covers',
    async run(world) {
      const { m } = world
      const { provider } = m.dev.signers
      const stake = await m.stakeOf()
      const free = stake.active - stake.locked
      // One order whose exposure is more than the unlocked stake.
      const offer = await m.newTeeOffer(provider, free * 2n + parseEther('1'), 1)
      const order = await world.create({
        teeOfferId: offer,
        maxPayment: free * 4n + parseEther('10'),
      })
      await refused(m.h.send(provider, 'acceptOrder', [order.terms]), 'InsufficientStake')
      assert.equal(await m.status(order.orderId), 'created')
      await m.h.send(m.dev.signers.customer, 'cancelOrder', [order.terms])
    },
  },
  {
    id: 'A-09',
    actor: 'provider',
    title: 'accept an order after acceptBy, or one of another provider’s offer',
    async run(world) {
      const { m } = world
      const late = await world.create()
      const mine = await world.create()
      await refused(m.h.send(m.dev.signers.stranger, 'acceptOrder', [mine.terms]))
      // Past both deadlines: on a slow machine the second order's is seconds after the first's.
      const lastAcceptBy = Math.max(mine.terms.acceptBy, late.terms.acceptBy)
      await m.dev.increaseTime(lastAcceptBy - (await m.h.now()) + 1)
      await refused(
        m.h.send(m.dev.signers.provider, 'acceptOrder', [late.terms]),
        'AcceptDeadlinePassed',
      )
      const stake = await m.stakeOf()
      for (const order of [late, mine])
        await m.h.send(m.dev.signers.customer, 'refundOrder', [order.terms])
      assert.equal((await m.stakeOf()).active, stake.active, 'a missed acceptBy slashes nobody')
    },
  },
  {
    id: 'A-10',
    actor: 'provider',
    title: 'refund with a failure signed by another key, or without a reason',
    async run(world) {
      const { m } = world
      const order = await world.accepted()
      const impostor = privateKeyToAccount(generatePrivateKey())
      const failure = (key: PrivateKeyAccount, reason: number) =>
        m.h
          .signFailure(key, order.orderId, reason)
          .then((signature) =>
            m.h.send(m.dev.signers.provider, 'submitFailure', [order.terms, reason, signature]),
          )
      await refused(failure(impostor, 1), 'InvalidEnclaveSignature')
      await refused(failure(m.enclave, 0), 'InvalidFailureReason')
      await refused(failure(m.enclave, 200))
      // A receipt's signature is no failure.
      const receipt = await m.receiptFor(order)
      await refused(
        m.h.send(m.dev.signers.provider, 'submitFailure', [order.terms, 1, receipt.signature]),
        'InvalidEnclaveSignature',
      )
      await unpaid(world, order)
      await m.submitReceipt(receipt)
    },
  },
  {
    id: 'A-11',
    actor: 'provider',
    title: 'withdraw a payout before its challenge window has passed',
    async run(world) {
      const { m } = world
      const { provider } = m.dev.signers
      const order = await world.accepted()
      await m.deliver(order)
      const available = await m.h.balance(provider.account.address)
      await refused(
        m.h.send(provider, 'withdraw', [available + order.terms.teePrice]),
        'InsufficientBalance',
      )
    },
  },
  {
    id: 'A-12',
    actor: 'provider',
    title: 'hand an order back after its deadline to pay the fee instead of the slash',
    async run(world) {
      const { m } = world
      const order = await world.accepted()
      await m.dev.increaseTime(order.terms.deadline - (await m.h.now()) + 1)
      await refused(m.h.send(m.dev.signers.provider, 'handBackOrder', [order.terms]))
      const stake = await m.stakeOf()
      await m.h.send(m.dev.signers.stranger, 'refundOrder', [order.terms])
      assert.equal((await m.stakeOf()).active, stake.active - exposureOf(order))
    },
  },
  {
    id: 'A-13',
    actor: 'anyone',
    title: 'block a whole batch of accepts or receipts with one order in the wrong state',
    async run(world) {
      const { m } = world
      const { provider, customer } = m.dev.signers
      const [good, cancelled] = [await world.create(), await world.create()]
      await m.h.send(customer, 'cancelOrder', [cancelled.terms])
      const accepted = await acceptOrders(provider, { terms: [cancelled.terms, good.terms] })
      assert.deepEqual(accepted.done, [good.orderId])
      assert.deepEqual(
        accepted.skipped.map((skip) => skip.errorName),
        ['WrongOrderStatus'],
      )
      const receipt = await m.receiptFor(good)
      const delivered = await submitReceipts(provider, {
        receipts: [receipt, { ...receipt, terms: cancelled.terms }],
      })
      assert.deepEqual(delivered.done, [good.orderId])
      assert.equal(delivered.skipped.length, 1)
    },
  },
  {
    id: 'A-14',
    actor: 'customer',
    title: 'order what no enclave could ever serve, then collect the slash',
    async run(world) {
      const { m } = world
      const { provider } = m.dev.signers
      const now = await m.h.now()
      const other = await m.registeredEnclave(m.dev.signers.stranger)
      const expiring = await m.registeredEnclave(provider, { expiresAt: now + 600 })
      const variants: [string, Record<string, unknown>, string][] = [
        [
          'a deadline after the enclave’s expiry',
          { enclave: expiring.address, acceptBy: now + 60, deadline: now + 700 },
          'DeadlineAfterEnclaveExpiry',
        ],
        [
          'a deadline too close to acceptBy',
          { acceptBy: now + 100, deadline: now + 110 },
          'InvalidDeadlines',
        ],
        ['an enclave of another provider', { enclave: other.address }, 'EnclaveNotOfOfferProvider'],
        [
          'a solution offer for another solution',
          { solutionHash: label('not the model') },
          'SolutionMismatch',
        ],
        [
          'a solution that requires a measurement the enclave does not run',
          {
            solutionOfferId: await m.newSolutionOffer('model', 1n, {
              requiredMeasurement: label('another runtime'),
            }),
          },
          'MeasurementNotAllowedBySolution',
        ],
        [
          'a solution for other hardware',
          { solutionOfferId: await m.newSolutionOffer('model', 1n, { hardwareMask: 0b10 }) },
          'HardwareNotAllowedBySolution',
        ],
        [
          'an offer for other hardware than its enclave',
          { teeOfferId: await m.newTeeOffer(provider, 1n, 1, 1) },
          'EnclaveHardwareMismatch',
        ],
      ]
      for (const [what, overrides, errorName] of variants)
        await refused(world.create(overrides), errorName).catch((error) => {
          throw new Error(`${what}: ${error.message}`)
        })
    },
  },
  {
    id: 'A-15',
    actor: 'customer',
    title: 'claw back an honest delivery by claiming the output was withheld',
    async run(world) {
      const { m } = world
      const { customer, provider } = m.dev.signers
      const order = await world.accepted()
      const { delivered } = await m.deliver(order)
      const providerOwed = await m.owed(provider.account.address)
      await m.h.send(customer, 'challengeDelivery', [order.terms])
      // Anyone publishes the output with the enclave's receipt: the payouts stand again.
      await m.answerChallenge(delivered, m.dev.signers.stranger)
      assert.equal(
        await m.owed(provider.account.address),
        providerOwed + defaults.challengeBond,
        'the provider keeps its payout and gets the bond',
      )
      assert.equal(await m.status(order.orderId), 'completed')
    },
  },
  {
    id: 'A-16',
    actor: 'customer',
    title: 'challenge a delivery twice, after the window, or someone else’s',
    async run(world) {
      const { m } = world
      const { customer, stranger } = m.dev.signers
      const order = await world.accepted()
      await m.deliver(order)
      await refused(m.h.send(stranger, 'challengeDelivery', [order.terms]), 'NotOrderCustomer')
      await m.dev.increaseTime(defaults.challengeWindow + 1)
      await refused(m.h.send(customer, 'challengeDelivery', [order.terms]), 'ChallengeWindowClosed')
      const undelivered = await world.accepted()
      await refused(
        m.h.send(customer, 'challengeDelivery', [undelivered.terms]),
        'WrongOrderStatus',
      )
      await m.deliver(undelivered)
    },
  },
  {
    id: 'A-17',
    actor: 'customer',
    title: 'take the escrow back while the provider works: cancel after acceptance, refund early',
    async run(world) {
      const { m } = world
      const { customer } = m.dev.signers
      const order = await world.accepted()
      await refused(m.h.send(customer, 'cancelOrder', [order.terms]), 'WrongOrderStatus')
      await refused(m.h.send(customer, 'refundOrder', [order.terms]), 'RefundNotYetDue')
      const waiting = await world.create()
      await refused(m.h.send(customer, 'refundOrder', [waiting.terms]), 'RefundNotYetDue')
      await refused(
        m.h.send(m.dev.signers.stranger, 'cancelOrder', [waiting.terms]),
        'NotOrderCustomer',
      )
      await m.h.send(customer, 'cancelOrder', [waiting.terms])
      await m.deliver(order)
    },
  },
  {
    id: 'A-18',
    actor: 'anyone',
    title: 'act on an order with changed terms, or on terms of no order',
    async run(world) {
      const { m } = world
      const order = await world.accepted()
      const changed = [
        { ...order.terms, teePrice: order.terms.teePrice + 1n },
        { ...order.terms, customer: m.dev.signers.stranger.account.address },
        { ...order.terms, deadline: order.terms.deadline + 3600 },
      ]
      for (const terms of changed) {
        await refused(m.h.send(m.dev.signers.stranger, 'refundOrder', [terms]), 'OrderNotFound')
        await refused(m.submitReceipt({ ...(await m.receiptFor(order)), terms }))
      }
      await m.deliver(order)
    },
  },
  {
    id: 'A-19',
    actor: 'anyone',
    title: 'call the market’s delegate (OrderExits) directly',
    async run(world) {
      const { m } = world
      const order = await world.accepted()
      const exits = await m.h.read<Hex>('exits')
      // The market's real calls, with this order's real terms, sent to the delegate itself.
      for (const functionName of ['refundOrder', 'handBackOrder', 'cancelOrder'] as const)
        await refused(
          writeContractAndWait(m.dev.signers.provider, {
            address: exits,
            abi: orderExitsAbi,
            functionName,
            args: [order.terms],
          } as never),
          'NotThroughMarket',
        )
      await m.deliver(order)
    },
  },
  {
    id: 'A-20',
    actor: 'governor',
    title: 'waive a slash after the fact by removing the measurement past the deadline',
    async run(world) {
      const { m } = world
      const measurement = label(`runtime removed late ${Date.now()}`)
      await m.listMeasurement(measurement)
      const enclave = await m.registeredEnclave(m.dev.signers.provider, { measurement })
      const order = await world.accepted({ enclave: enclave.address })
      await m.dev.increaseTime(order.terms.deadline - (await m.h.now()) + 1)
      await m.governed('removeMeasurement', [measurement])
      const stake = await m.stakeOf()
      await m.h.send(m.dev.signers.stranger, 'refundOrder', [order.terms])
      assert.equal((await m.stakeOf()).active, stake.active - exposureOf(order), 'still slashed')
    },
  },
  {
    id: 'A-21',
    actor: 'governor',
    title: 'change the allow-list with one key, or without the timelock',
    async run(world) {
      const { m } = world
      const measurement = label(`one key's runtime ${Date.now()}`)
      const call = {
        target: m.dev.deployment.contracts.registry,
        data: encodeFunctionData({
          abi: registryAbi,
          functionName: 'proposeMeasurement',
          args: [measurement, 'https://example.org/one-key'],
        }),
        salt: label(`one key ${Date.now()}`),
      }
      const [councilA, councilB] = m.council as [PrivateKeyAccount, PrivateKeyAccount]
      // One council key alone: the Safe refuses.
      await assert.rejects(
        runGovernanceStepWithOwners(m.dev.signers.stranger, {
          call,
          step: 'schedule',
          owners: [councilA],
          delaySeconds: defaults.governanceDelay,
        }),
      )
      // Any key calling the registry itself: only the timelock governs.
      await refused(
        m.h.send(m.dev.signers.councilA, 'proposeMeasurement', [measurement, 'x']),
        'NotGovernor',
      )
      // Two keys, but executed before the timelock's delay.
      await runGovernanceStepWithOwners(m.dev.signers.stranger, {
        call,
        step: 'schedule',
        owners: [councilA, councilB],
        delaySeconds: defaults.governanceDelay,
      })
      await assert.rejects(
        runGovernanceStepWithOwners(m.dev.signers.stranger, {
          call,
          step: 'execute',
          owners: [councilA, councilB],
        }),
      )
      assert.equal(await m.h.read('isMeasurementAllowed', [measurement]), false)
    },
  },
  {
    id: 'A-22',
    actor: 'provider',
    title: 'register an enclave in another provider’s name, or with approvals for another registry',
    async run(world) {
      const { m } = world
      const { provider, stranger } = m.dev.signers
      // The stranger presents the provider's registration, approved by the committee, as its own.
      const { registration } = await m.h.newEnclave(provider)
      const epoch = await m.h.read<bigint>('committeeEpoch')
      const approvals = await m.h.approvals(registration, [m.h.member], epoch)
      await refused(
        m.h.send(stranger, 'registerEnclave', [registration, epoch, approvals]),
        'NotRegistrationProvider',
      )
      const renamed = { ...registration, provider: stranger.account.address }
      await refused(
        m.h.send(stranger, 'registerEnclave', [renamed, epoch, approvals]),
        'InvalidApprover',
      )
      // Approvals signed for another registry (another deployment) do not count here.
      const elsewhere = await m.h.member.signTypedData({
        domain: {
          name: 'BOCC',
          version: '2',
          chainId: m.dev.deployment.chainId,
          verifyingContract: m.dev.deployment.contracts.market,
        },
        types: enclaveApprovalTypes,
        primaryType: 'EnclaveApproval',
        message: { ...registration, committeeEpoch: epoch },
      })
      await refused(
        m.h.send(provider, 'registerEnclave', [registration, epoch, [elsewhere]]),
        'InvalidApprover',
      )
      await m.h.send(provider, 'registerEnclave', [registration, epoch, approvals])
    },
  },
  {
    id: 'A-23',
    actor: 'committee member',
    title: 'approve an enclave alone when the committee is k of n',
    async run(world) {
      const { m } = world
      const extra = [
        privateKeyToAccount(generatePrivateKey()),
        privateKeyToAccount(generatePrivateKey()),
      ]
      const members = [m.h.member, ...extra].sort(byAddress)
      await setCommittee(world, members, 2)
      const [first, second] = members as [PrivateKeyAccount, PrivateKeyAccount]
      const { registration } = await m.h.newEnclave(m.dev.signers.provider)
      const epoch = await m.h.read<bigint>('committeeEpoch')
      const register = (approvals: Hex[]) =>
        m.h.send(m.dev.signers.provider, 'registerEnclave', [registration, epoch, approvals])
      await refused(
        register(await m.h.approvals(registration, [first], epoch)),
        'NotEnoughApprovals',
      )
      const two = (await m.h.approvals(registration, [first, second], epoch)) as [Hex, Hex]
      await refused(register([two[0], two[0]]), 'InvalidApprover')
      const alone = await m.revocation(m.enclave.address, [first])
      await refused(
        m.h.send(m.dev.signers.stranger, 'revokeEnclaveByCommittee', [
          m.enclave.address,
          alone.committeeEpoch,
          alone.signatures,
        ]),
        'NotEnoughApprovals',
      )
      world.committee = { members, threshold: 2 }
    },
  },
  {
    id: 'A-24',
    actor: 'committee member',
    title: 'revive approvals signed before it was removed, once re-added',
    async run(world) {
      const { m } = world
      const members = world.committee?.members ?? [m.h.member]
      const removed = members.find((member) => member.address !== m.h.member.address)
      assert.ok(removed, 'A-23 made a committee of three')
      const { registration } = await m.h.newEnclave(m.dev.signers.provider)
      const signedEpoch = await m.h.read<bigint>('committeeEpoch')
      const old = await m.h.approvals(registration, [m.h.member, removed], signedEpoch)
      await setCommittee(
        world,
        members.filter((member) => member !== removed),
        2,
      )
      await setCommittee(world, members, 2)
      const epoch = await m.h.read<bigint>('committeeEpoch')
      await refused(
        m.h.send(m.dev.signers.provider, 'registerEnclave', [registration, signedEpoch, old]),
        'StaleCommitteeEpoch',
      )
      await refused(
        m.h.send(m.dev.signers.provider, 'registerEnclave', [registration, epoch, old]),
        'InvalidApprover',
      )
      // Back to the one-member committee the other attacks sign with.
      await setCommittee(world, [m.h.member], 1)
    },
  },
]

const byAddress = (a: PrivateKeyAccount, b: PrivateKeyAccount) =>
  BigInt(a.address) < BigInt(b.address) ? -1 : 1

/** Has governance make `members` (k = `threshold`) the committee, and activates it. */
async function setCommittee(world: ContractWorld, members: PrivateKeyAccount[], threshold: number) {
  const { m } = world
  const sorted = [...members].sort(byAddress).map((member) => member.address)
  await m.governed('proposeCommittee', [sorted, threshold])
  await m.dev.increaseTime(defaults.governanceDelay)
  await m.h.send(m.dev.signers.stranger, 'activateCommittee')
}
