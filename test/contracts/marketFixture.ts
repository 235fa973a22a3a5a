import {
  type Address,
  bytesToHex,
  encodeFunctionData,
  type Hex,
  hexToBigInt,
  numberToHex,
  parseEther,
  parseSignature,
  serializeCompactSignature,
  serializeSignature,
  sha256,
  signatureToCompactSignature,
  toHex,
} from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { registryAbi } from '../../src/chain/abis.ts'
import {
  type GovernanceCall,
  runGovernanceStepWithOwners,
} from '../../src/chain/actions/governance/governanceCall.ts'
import type { BoccSigner } from '../../src/chain/boccChain.ts'
import type { ProtocolSettings } from '../../src/chain/deployContracts.ts'
import { councilRoles, devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { type OrderStatusName, orderStatuses } from '../../src/chain/orderStatus.ts'
import { enclaveRevocationTypes, registryDomain } from '../../src/protocol/enclaveApproval.ts'
import { type OrderTerms, orderTotal } from '../../src/protocol/orderTerms.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { label, protocolHarness, zeroHash } from '../support/protocolHarness.ts'

export const teePrice = parseEther('3')
export const solutionPrice = parseEther('2')
export const dataPrice = parseEther('1')
/** What localProtocol's deployment uses unless a test says otherwise (src/chain/deployContracts.ts). */
export const defaults = {
  slashBps: 5_000n,
  handBackBps: 1_000n,
  feeBps: 100n,
  challengeBond: parseEther('1'),
  challengeWindow: 3_600,
  responseWindow: 3_600,
  /** Timelock delay and registry governance delay in startLocalProtocol. */
  governanceDelay: 60,
}

export type Order = { orderId: bigint; terms: OrderTerms }

/** The stake an accepted order locks, and what a missed deadline or withheld output costs (at the default slashBps). */
export function exposureOf(order: Order): bigint {
  return (orderTotal(order.terms) * defaults.slashBps) / 10_000n
}

/** The market's state of an order, as a status name. */
export type Status = OrderStatusName

let ordersMade = 0

/**
 * A fresh local deployment with one staked provider, its registered sim enclave, a TEE offer
 * (sim hardware, capacity 10), a solution offer of the model vendor, and a customer with a
 * deposit; plus short calls to make, accept and complete orders the way each party would.
 */
export async function startMarket(
  settings: Partial<ProtocolSettings> = {},
  options: {
    /** Runs on the fresh deployment before the fixture's own calls (to deploy and hand out a test token). */
    prepare?: (dev: LocalProtocol) => Promise<void>
  } = {},
) {
  const dev = await startLocalProtocol(settings)
  await options.prepare?.(dev)
  const h = protocolHarness(dev)
  const { provider, customer, modelVendor } = dev.signers
  await h.approve(provider, parseEther('1000'))
  await h.send(provider, 'stake', [parseEther('300')])
  const registered = await h.newEnclave(provider, { expiresAt: (await h.now()) + 30 * 86_400 })
  await h.register(provider, registered.registration)
  const enclave = registered.key
  const teeOfferId = await newTeeOffer(provider)
  const solutionOfferId = h.idFrom(
    (
      await h.send(modelVendor, 'createSolutionOffer', [
        label('model'),
        solutionPrice,
        0xff,
        zeroHash,
        label('model bundle'),
        [],
      ])
    ).receipt.logs,
    'SolutionOfferCreated',
  )
  await h.approve(customer, parseEther('1000'))
  await h.send(customer, 'deposit', [parseEther('200')])

  async function newTeeOffer(owner: BoccSigner, price = teePrice, capacity = 10, hardware = 0) {
    return h.idFrom(
      (await h.send(owner, 'createTeeOffer', [hardware, price, capacity])).receipt.logs,
      'TeeOfferCreated',
    )
  }
  /** Order parameters: accept within 2 minutes, deliver within 12, unique request hash. */
  async function params(overrides: Record<string, unknown> = {}) {
    const now = await h.now()
    return {
      enclave: enclave.address,
      teeOfferId,
      solutionOfferId,
      dataOfferId: 0,
      acceptBy: now + 120,
      deadline: now + 720,
      // Unique per order: equal terms would be the same order.
      requestHash: label(`request ${++ordersMade}`),
      inputHash: label('input'),
      solutionHash: label('model'),
      maxPayment: parseEther('100'),
      ...overrides,
    }
  }
  async function create(overrides: Record<string, unknown> = {}, signer = customer) {
    const { receipt } = await h.send(signer, 'createOrder', [await params(overrides)])
    return h.orderFrom(receipt.logs) as Order
  }
  async function accepted(overrides: Record<string, unknown> = {}, acceptor = provider) {
    const order = await create(overrides)
    await h.send(acceptor, 'acceptOrder', [order.terms])
    return order
  }
  /** The output blob of an order and the enclave's receipt for it. */
  async function receiptFor(
    order: Order,
    options: { key?: PrivateKeyAccount; output?: Uint8Array; wrappedResultKey?: Hex } = {},
  ) {
    const output = options.output ?? new TextEncoder().encode(`sealed output of ${order.orderId}`)
    const outputHash = sha256(output)
    const wrappedResultKey = options.wrappedResultKey ?? toHex(`result key for ${order.orderId}`)
    const signature = await h.signReceipt(
      options.key ?? enclave,
      order.orderId,
      outputHash,
      wrappedResultKey,
    )
    return { terms: order.terms, outputHash, wrappedResultKey, signature, output }
  }
  type EnclaveReceipt = Awaited<ReturnType<typeof receiptFor>>
  /** Submits an enclave's receipt (anyone may). */
  const submitReceipt = (receipt: EnclaveReceipt, submitter: BoccSigner = provider) =>
    h.send(submitter, 'submitReceipt', [
      receipt.terms,
      receipt.outputHash,
      receipt.wrappedResultKey,
      receipt.signature,
    ])
  /** The order's enclave (or `key`) signs a receipt, which is submitted. */
  async function deliver(
    order: Order,
    options: { key?: PrivateKeyAccount; submitter?: BoccSigner } = {},
  ) {
    const receipt = await receiptFor(order, { key: options.key })
    const sent = await submitReceipt(receipt, options.submitter)
    return { ...sent, delivered: receipt }
  }
  /** Answers a challenge by publishing the receipt's output on-chain (anyone may). */
  const answerChallenge = (receipt: EnclaveReceipt, submitter: BoccSigner = provider) =>
    h.send(submitter, 'answerChallenge', [
      receipt.terms,
      receipt.outputHash,
      receipt.wrappedResultKey,
      receipt.signature,
      bytesToHex(receipt.output),
    ])
  /** A solution offer of the model vendor (or `owner`) for the solution hash `label(name)`. */
  async function newSolutionOffer(
    name: string,
    price = 1n,
    options: { hardwareMask?: number; requiredMeasurement?: Hex; allowedTeeOffers?: number[] } = {},
    owner: BoccSigner = modelVendor,
  ) {
    const { receipt } = await h.send(owner, 'createSolutionOffer', [
      label(name),
      price,
      options.hardwareMask ?? 0xff,
      options.requiredMeasurement ?? zeroHash,
      label(`${name} bundle`),
      options.allowedTeeOffers ?? [],
    ])
    return h.idFrom(receipt.logs, 'SolutionOfferCreated')
  }
  const status = async (orderId: bigint): Promise<Status> =>
    orderStatuses[(await h.read<{ status: number }>('getOrder', [orderId])).status] ?? 'none'
  async function stakeOf(account: Address = provider.account.address) {
    const [active, locked, unstaking, unlockAt] = await h.read<[bigint, bigint, bigint, number]>(
      'stakeOf',
      [account],
    )
    return { active, locked, unstaking, unlockAt }
  }
  async function pendingOf(account: Address) {
    const [amount, maturesAt] = await h.read<[bigint, number]>('pendingOf', [account])
    return { amount, maturesAt }
  }
  /** Available balance plus payouts not matured yet: everything the market owes the account. */
  const owed = async (account: Address) =>
    (await h.balance(account)) + (await pendingOf(account)).amount

  const council = councilRoles.map((role) => privateKeyToAccount(devPrivateKey(devRoles[role])))
  /** A registry call made by governance: scheduled by 2 of the 3 council keys through the Safe, executed after the timelock's delay. */
  async function governed(functionName: string, args: unknown[] = []) {
    const call: GovernanceCall = {
      target: dev.deployment.contracts.registry,
      data: encodeFunctionData({
        abi: registryAbi,
        functionName: functionName as never,
        args: args as never,
      }),
      salt: label(`governance call ${++ordersMade}`),
    }
    const owners = council.slice(0, 2)
    const chain = dev.signers.stranger
    await runGovernanceStepWithOwners(chain, {
      call,
      step: 'schedule',
      owners,
      delaySeconds: defaults.governanceDelay,
    })
    await dev.increaseTime(defaults.governanceDelay)
    return runGovernanceStepWithOwners(chain, { call, step: 'execute', owners })
  }
  /** Lists a new measurement through governance and waits until it is effective. */
  async function listMeasurement(measurement: Hex) {
    await governed('proposeMeasurement', [measurement, `https://example.org/${measurement}`])
    await dev.increaseTime(defaults.governanceDelay)
  }
  /** A new enclave of `owner`, registered with the committee's approval. */
  async function registeredEnclave(owner: BoccSigner = provider, overrides = {}) {
    const fresh = await h.newEnclave(owner, {
      expiresAt: (await h.now()) + 30 * 86_400,
      ...overrides,
    })
    await h.register(owner, fresh.registration)
    return fresh.key
  }

  /** Committee members' `EnclaveRevocation` signatures for the current epoch (sorted by address, as the registry wants). */
  async function revocation(enclaveAddress: Address, members: PrivateKeyAccount[] = [h.member]) {
    const committeeEpoch = await h.read<bigint>('committeeEpoch')
    const sorted = [...members].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
    const signatures = await Promise.all(
      sorted.map((member) =>
        member.signTypedData({
          domain: registryDomain(dev.deployment.chainId, dev.deployment.contracts.registry),
          types: enclaveRevocationTypes,
          primaryType: 'EnclaveRevocation',
          message: { enclave: enclaveAddress, committeeEpoch },
        }),
      ),
    )
    return { committeeEpoch, signatures }
  }

  /** The arguments of the first `eventName` event in a transaction's logs (throws if there is none). */
  function eventArgs<args = Record<string, unknown>>(
    logs: Parameters<typeof h.eventsOf>[0],
    eventName: string,
  ): args {
    const event = h.eventsOf(logs).find((item) => item.eventName === eventName)
    if (!event) throw new Error(`no ${eventName} event`)
    return event.args as args
  }

  /** A data offer of the data vendor for the dataset `label(name)`. */
  async function newDataOffer(
    name: string,
    price = dataPrice,
    allowed: { solutionOffers?: number[]; teeOffers?: number[] } = {},
  ) {
    const { receipt } = await h.send(dev.signers.dataVendor, 'createDataOffer', [
      label(name),
      price,
      allowed.solutionOffers ?? [],
      allowed.teeOffers ?? [],
    ])
    return h.idFrom(receipt.logs, 'DataOfferCreated')
  }

  return {
    dev,
    h,
    newDataOffer,
    eventArgs,
    revocation,
    enclave,
    teeOfferId,
    solutionOfferId,
    council,
    newTeeOffer,
    params,
    create,
    accepted,
    receiptFor,
    submitReceipt,
    deliver,
    answerChallenge,
    newSolutionOffer,
    status,
    stakeOf,
    pendingOf,
    owed,
    governed,
    listMeasurement,
    registeredEnclave,
  }
}

export type Market = Awaited<ReturnType<typeof startMarket>>

/** secp256k1's group order. */
const curveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** A signature's high-s twin (s' = n - s, y parity flipped): valid for raw ecrecover, refused by OpenZeppelin's ECDSA. */
export function malleableTwin(signature: Hex): Hex {
  const { r, s, yParity } = parseSignature(signature)
  return serializeSignature({
    r,
    s: numberToHex(curveOrder - hexToBigInt(s), { size: 32 }),
    yParity: yParity === 0 ? 1 : 0,
  })
}

/** A signature in EIP-2098 compact form (64 bytes): refused, only 65-byte signatures count. */
export function compactForm(signature: Hex): Hex {
  return serializeCompactSignature(signatureToCompactSignature(parseSignature(signature)))
}
