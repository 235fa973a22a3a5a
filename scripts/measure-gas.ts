// `npm run gas`: measures the gas of every market, registry and catalog call on a local chain and
// writes bench/results/gas.json. What each figure covers is in docs/gas.md.
import { mkdir, writeFile } from 'node:fs/promises'
import {
  type Address,
  type Hash,
  type Hex,
  parseEther,
  sha256,
  type TransactionReceipt,
} from 'viem'
import { closeLease } from '../src/chain/actions/leases/closeLease.ts'
import { openLease } from '../src/chain/actions/leases/openLease.ts'
import { setLeaseEndpoint } from '../src/chain/actions/leases/setLeaseEndpoint.ts'
import { settleUsage } from '../src/chain/actions/leases/settleUsage.ts'
import { writeLeases } from '../src/chain/actions/leases/writeLeases.ts'
import { acceptOrders } from '../src/chain/actions/market/acceptOrders.ts'
import { answerChallenge } from '../src/chain/actions/market/answerChallenge.ts'
import { cancelOrder } from '../src/chain/actions/market/cancelOrder.ts'
import { challengeDelivery } from '../src/chain/actions/market/challengeDelivery.ts'
import { createOrder } from '../src/chain/actions/market/createOrder.ts'
import { deposit } from '../src/chain/actions/market/deposit.ts'
import { handBackOrder } from '../src/chain/actions/market/handBackOrder.ts'
import { refundOrder } from '../src/chain/actions/market/refundOrder.ts'
import { stake } from '../src/chain/actions/market/stake.ts'
import { type EnclaveReceipt, submitReceipts } from '../src/chain/actions/market/submitReceipts.ts'
import { withdraw } from '../src/chain/actions/market/withdraw.ts'
import { getTdxVerification } from '../src/chain/actions/registry/getTdxVerification.ts'
import { registerEnclave } from '../src/chain/actions/registry/registerEnclave.ts'
import { approveToken } from '../src/chain/actions/token/approveToken.ts'
import { useFaucet } from '../src/chain/actions/token/useFaucet.ts'
import { shortMessageOf } from '../src/errors.ts'
import { leasesDomain, leaseUsageTypes } from '../src/protocol/leaseUsage.ts'
import type { OrderTerms } from '../src/protocol/orderTerms.ts'
import { vectorsMissing } from '../test/attestationVectors.ts'
import { type LocalProtocol, startLocalProtocol } from '../test/support/localProtocol.ts'
import { label, protocolHarness, zeroHash } from '../test/support/protocolHarness.ts'

/** Size of the output published on-chain to answer a challenge (a short OCR result, sealed). */
const answeredOutputBytes = 1_024

/** `--opcodes`: also print where the hot path's gas goes, opcode by opcode (anvil keeps every step). */
const profileOpcodes = process.argv.includes('--opcodes')
// A signal ends the run as an error does: the chains it started stop as the process exits
// (startLocalChain kills every node its process leaves running).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(signal, () => {
    console.error(`gas: stopped by ${signal}`)
    process.exit(1)
  })
let started: LocalProtocol | undefined
try {
  const dev = await startLocalProtocol({}, { stepsTracing: profileOpcodes })
  started = dev
  const h = protocolHarness(dev)
  const client = h.client
  const { provider, customer, modelVendor, stranger } = dev.signers
  const { contracts } = dev.deployment
  const gas: Record<string, number> = {}
  const hashes: Record<string, Hash> = {}
  const gasOf = async (hash: Hash) => Number((await client.getTransactionReceipt({ hash })).gasUsed)
  const measure = async <result extends { receipt: TransactionReceipt }>(
    name: string,
    action: Promise<result>,
  ) => {
    const done = await action
    gas[name] = Number(done.receipt.gasUsed)
    hashes[name] = done.receipt.transactionHash
    return done
  }

  const deployGas = await deploymentGas()

  await approveToken(provider, { amount: parseEther('1000') })
  await measure('stake', stake(provider, { amount: parseEther('500') }))
  const registered = await h.newEnclave(provider, { expiresAt: (await h.now()) + 300 * 86_400 })
  const enclave = registered.key
  await measure(
    'registerEnclave',
    registerEnclave(provider, {
      registration: registered.registration,
      committeeEpoch: await h.read<bigint>('committeeEpoch'),
      approvals: await h.approvals(registered.registration),
    }),
  )
  const teeOfferId = h.idFrom(
    (
      await measure(
        'createTeeOffer',
        h.send(provider, 'createTeeOffer', [0, parseEther('3'), 1_000]),
      )
    ).receipt.logs,
    'TeeOfferCreated',
  )
  const solutionHash = label('model')
  const solutionOfferId = h.idFrom(
    (
      await measure(
        'createSolutionOffer',
        h.send(modelVendor, 'createSolutionOffer', [
          solutionHash,
          parseEther('2'),
          0xff,
          zeroHash,
          label('model bundle'),
          [],
        ]),
      )
    ).receipt.logs,
    'SolutionOfferCreated',
  )
  await approveToken(customer, { amount: parseEther('10000') })
  await measure('deposit', deposit(customer, { amount: parseEther('1000') }))

  let nonce = 0
  const create = async (signer = customer) => {
    const now = await h.now()
    nonce += 1
    const created = await createOrder(signer, {
      params: {
        enclave: enclave.address,
        teeOfferId,
        solutionOfferId,
        dataOfferId: 0,
        acceptBy: now + 600,
        deadline: now + 3_000,
        requestHash: label(`request ${nonce}`),
        inputHash: label(`input ${nonce}`),
        solutionHash,
        maxPayment: parseEther('10'),
      },
    })
    return { ...created, gas: await gasOf(created.transactionHash) }
  }
  const accept = async (order: { terms: OrderTerms }) =>
    (await h.send(provider, 'acceptOrder', [order.terms])).receipt
  const receiptFor = async (
    order: { orderId: bigint; terms: OrderTerms },
    output: Uint8Array = new Uint8Array(answeredOutputBytes).fill(Number(order.orderId % 251n)),
  ): Promise<EnclaveReceipt & { output: Uint8Array }> => {
    const outputHash = sha256(output)
    const wrappedResultKey = `0x${'ab'.repeat(80)}` as Hex
    return {
      terms: order.terms,
      outputHash,
      wrappedResultKey,
      signature: await h.signReceipt(enclave, order.orderId, outputHash, wrappedResultKey),
      output,
    }
  }
  const deliver = async (order: { orderId: bigint; terms: OrderTerms }) => {
    const receipt = await receiptFor(order)
    return (
      await h.send(provider, 'submitReceipt', [
        receipt.terms,
        receipt.outputHash,
        receipt.wrappedResultKey,
        receipt.signature,
      ])
    ).receipt
  }
  const lifecycle = async () => {
    const order = await create()
    const accepted = await accept(order)
    const delivered = await deliver(order)
    return {
      order,
      create: order.gas,
      accept: Number(accepted.gasUsed),
      receipt: Number(delivered.gasUsed),
      hashes: [order.transactionHash, accepted.transactionHash, delivered.transactionHash],
    }
  }

  // The first order writes every balance, bucket and counter from zero; the second is the steady state.
  const first = await lifecycle()
  gas.lifecycle_first_order = first.create + first.accept + first.receipt
  const steady = await lifecycle()
  Object.assign(gas, { create: steady.create, accept: steady.accept, receipt: steady.receipt })
  gas.lifecycle = steady.create + steady.accept + steady.receipt
  ;[hashes.create, hashes.accept, hashes.receipt] = steady.hashes as [Hash, Hash, Hash]

  // The customer pays from its wallet instead of a prior deposit.
  await approveToken(stranger, { amount: parseEther('100') })
  await create(stranger)
  const fromWallet = await create(stranger)
  gas.create_with_transfer = fromWallet.gas
  hashes.create_with_transfer = fromWallet.transactionHash

  const failing = await create()
  await accept(failing)
  await measure(
    'failure',
    h.send(provider, 'submitFailure', [
      failing.terms,
      2,
      await h.signFailure(enclave, failing.orderId, 2),
    ]),
  )
  await measure('cancel', cancelOrder(customer, { terms: (await create()).terms }))
  const handedBack = await create()
  await accept(handedBack)
  await measure('hand_back', handBackOrder(provider, { terms: handedBack.terms }))

  // A delivered order whose customer says the output is withheld; the provider publishes it.
  const withheld = await create()
  await accept(withheld)
  await deliver(withheld)
  await measure('challenge', challengeDelivery(customer, { terms: withheld.terms }))
  const published = await receiptFor(withheld)
  await measure(
    'answer_challenge',
    answerChallenge(provider, { receipt: published, output: published.output }),
  )

  const unaccepted = await create()
  const late = await create()
  await accept(late)
  await dev.increaseTime(3_001)
  await measure('refund', refundOrder(stranger, { terms: unaccepted.terms }))
  await measure('refund_with_slash', refundOrder(stranger, { terms: late.terms }))
  // Payouts mature two payout epochs (challenge windows) after delivery.
  await dev.increaseTime(2 * 3_600)
  await measure('withdraw', withdraw(provider, { amount: parseEther('1') }))

  // The batch runs in the steady state of `receipt`: one order delivered first in this payout
  // epoch sweeps the buckets that matured during the waits above, so the batch, like `receipt`,
  // credits open buckets of payees whose balances are already non-zero.
  await lifecycle()
  const batch = []
  let createTotal = 0
  for (let i = 0; i < 20; i++) {
    const order = await create()
    createTotal += order.gas
    batch.push(order)
  }
  const accepted = await acceptOrders(provider, { terms: batch.map((order) => order.terms) })
  const delivered = await submitReceipts(provider, {
    receipts: await Promise.all(batch.map((order) => receiptFor(order))),
  })
  if (accepted.done.length !== 20 || delivered.done.length !== 20)
    throw new Error('a batch skipped orders')
  const acceptBatch = await gasOf(accepted.transactionHash)
  const receiptBatch = await gasOf(delivered.transactionHash)
  gas.accept_per_order_batch20 = Math.round(acceptBatch / 20)
  gas.receipt_per_order_batch20 = Math.round(receiptBatch / 20)
  gas.lifecycle_per_order_batch20 = Math.round((createTotal + acceptBatch + receiptBatch) / 20)

  // Leases: open (approve excluded), settle one usage, settle per lease in a batch of 20, close, finalise.
  const leaseUsage = async (leaseId: bigint, requests: number) => {
    const message = {
      leaseId,
      customer: customer.account.address,
      tokensIn: BigInt(10 * requests),
      tokensOut: BigInt(30 * requests),
      requests: BigInt(requests),
    }
    const signature = await enclave.signTypedData({
      domain: leasesDomain(dev.deployment.chainId, contracts.leases as Address),
      types: leaseUsageTypes,
      primaryType: 'LeaseUsage',
      message,
    })
    return { ...message, enclave: enclave.address, signature }
  }
  const leaseParameters = {
    teeOfferId,
    solutionOfferId,
    durationSeconds: 3_600,
    maxTokens: 1_000n,
  }
  await useFaucet(customer, { amount: parseEther('1000') })
  const firstLease = await openLease(customer, leaseParameters)
  gas.lease_open = await gasOf(firstLease.transactionHash)
  await measure(
    'lease_settle',
    settleUsage(provider, { batch: [await leaseUsage(firstLease.leaseId, 1)] }),
  )
  await measure(
    'lease_settle_again',
    settleUsage(provider, { batch: [await leaseUsage(firstLease.leaseId, 2)] }),
  )
  const leaseBatch = []
  for (let i = 0; i < 20; i++)
    leaseBatch.push(await leaseUsage((await openLease(customer, leaseParameters)).leaseId, 1))
  const settledBatch = await settleUsage(provider, { batch: leaseBatch })
  gas.lease_settle_per_lease_batch20 = Math.round(Number(settledBatch.receipt.gasUsed) / 20)
  await measure('lease_close', closeLease(customer, { leaseId: firstLease.leaseId }))
  await dev.increaseTime(3_601)
  await measure('lease_finalize', writeLeases(customer, 'finalizeLease', [firstLease.leaseId]))
  // Once per provider (and again when its front moves): a typical public URL.
  await measure(
    'lease_set_endpoint',
    setLeaseEndpoint(provider, { url: 'https://leases.provider.example:8443' }),
  )

  gas.deploy = deployGas

  // On-chain TDX verification and registration by it: chains of their own, on the shared vectors.
  if (vectorsMissing) console.log(`TDX gas not measured: ${vectorsMissing}`)
  else {
    const { measureTdxVerifierGas, measureTdxRegistrationGas } = await import(
      './gas/tdxVerifier.ts'
    )
    Object.assign(gas, await measureTdxVerifierGas(), await measureTdxRegistrationGas())
  }

  await mkdir('bench/results', { recursive: true })
  await writeFile('bench/results/gas.json', `${JSON.stringify(gas, null, 2)}\n`)
  for (const [name, value] of Object.entries(gas))
    console.log(`${name.padEnd(30)} ${value.toLocaleString('en')}`)

  // Where the hot path's gas goes outside the market: gas used inside each contract it calls.
  const names: Record<string, string> = {
    [contracts.market.toLowerCase()]: 'market',
    [contracts.registry.toLowerCase()]: 'registry',
    [contracts.catalog.toLowerCase()]: 'catalog',
    [contracts.token.toLowerCase()]: 'token',
    '0x0000000000000000000000000000000000000001': 'ecrecover',
    '0x0000000000000000000000000000000000000002': 'sha256',
  }
  console.log('\ngas used inside the contracts each call reaches (callTracer):')
  for (const name of [
    'create',
    'create_with_transfer',
    'accept',
    'receipt',
    'challenge',
    'answer_challenge',
    'refund_with_slash',
    'deposit',
    'withdraw',
    'registerEnclave',
    'createSolutionOffer',
  ]) {
    const hash = hashes[name]
    if (!hash) continue
    const inside = await callsOf(hash)
    console.log(
      `${name.padEnd(22)} ${
        Object.entries(inside)
          .map(
            ([to, used]) =>
              `${names[to] ?? to}: ${used.count} call(s), ${used.gas.toLocaleString('en')}`,
          )
          .join('; ') || 'none'
      }`,
    )
  }

  /**
   * `--opcodes`: where a transaction's gas goes, per opcode group and call depth, from anvil's
   * struct logger. A call's figure includes everything that ran inside it, which is also listed
   * at the next depth; the 21,000 base and the calldata (printed apart) are in no group.
   */
  async function opcodesOf(hash: Hash) {
    type Step = { op: string; gasCost: number; depth: number; gas: number }
    const trace = (await client.request({
      method: 'debug_traceTransaction' as never,
      params: [hash, { disableStorage: true, disableMemory: true, disableStack: true }] as never,
    })) as { gas: number; structLogs: Step[] }
    const logs = trace.structLogs
    const groups: Record<string, number> = {}
    const counts: Record<string, number> = {}
    for (let i = 0; i < logs.length; i++) {
      const step = logs[i] as Step
      let cost = step.gasCost
      if (/CALL/.test(step.op) || step.op === 'CREATE' || step.op === 'CREATE2') {
        // Until the next step at this depth: the call's own cost and everything run inside it.
        let j = i + 1
        while (j < logs.length && (logs[j] as Step).depth > step.depth) j++
        const after = logs[j]
        cost = after ? step.gas - after.gas : step.gasCost
      }
      const group = /^(PUSH|DUP|SWAP)/.test(step.op)
        ? 'stack'
        : /^LOG/.test(step.op)
          ? 'LOG'
          : step.op
      const key = `${step.depth}:${group}`
      groups[key] = (groups[key] ?? 0) + cost
      counts[key] = (counts[key] ?? 0) + 1
    }
    const sorted = Object.entries(groups)
      .sort((a, b) => b[1] - a[1])
      .filter(([, used]) => used >= 200)
    const receipt = await client.getTransactionReceipt({ hash })
    const tx = await client.getTransaction({ hash })
    const bytes = Buffer.from(tx.input.slice(2), 'hex')
    const zeros = bytes.filter((b) => b === 0).length
    console.log(
      `  gasUsed ${Number(receipt.gasUsed).toLocaleString('en')}, calldata ${bytes.length} bytes (${zeros} zero): ${(zeros * 4 + (bytes.length - zeros) * 16).toLocaleString('en')}`,
    )
    for (const [key, used] of sorted)
      console.log(
        `  ${key.padEnd(20)} ${String(counts[key]).padStart(5)} × = ${used.toLocaleString('en')}`,
      )
  }

  if (profileOpcodes) {
    for (const name of ['create', 'accept', 'receipt']) {
      const hash = hashes[name]
      if (!hash) continue
      console.log(`\n${name} (depth:opcode count × = gas):`)
      await opcodesOf(hash)
    }
    console.log('\nacceptOrders (20):')
    await opcodesOf(accepted.transactionHash)
    console.log('\nsubmitReceipts (20):')
    await opcodesOf(delivered.transactionHash)
  }

  /** Gas of every deployment transaction deployContracts sent (from the deployment block on). */
  async function deploymentGas() {
    let total = 0
    const parts: string[] = []
    const tdx = await getTdxVerification(provider)
    const known: Record<string, string> = {
      ...(tdx && {
        [tdx.verifier.toLowerCase()]: 'TDX quote verifier',
        [tdx.store.toLowerCase()]: 'TDX collateral store',
      }),
      [contracts.token.toLowerCase()]: 'test token',
      [contracts.timelock.toLowerCase()]: 'timelock',
      [contracts.registry.toLowerCase()]: 'registry',
      [contracts.catalog.toLowerCase()]: 'catalog',
      [contracts.market.toLowerCase()]: 'market (with OrderExits)',
      ...(contracts.leases ? { [contracts.leases.toLowerCase()]: 'lease market' } : {}),
    }
    const last = (contracts.leases ?? contracts.market).toLowerCase()
    for (let block = dev.deployment.fromBlock + 1n; ; block++) {
      const { transactions } = await client.getBlock({ blockNumber: block })
      for (const hash of transactions) {
        const receipt = await client.getTransactionReceipt({ hash })
        total += Number(receipt.gasUsed)
        const created = receipt.contractAddress?.toLowerCase()
        // deployGovernance deploys the Safe singleton, then its proxy factory; the TDX collateral
        // parser comes just before its store.
        const name = created
          ? (known[created] ??
            (parts.length === 1
              ? 'Safe singleton'
              : parts.length === 2
                ? 'Safe proxy factory'
                : 'TDX collateral parser'))
          : receipt.to?.toLowerCase() === contracts.token.toLowerCase()
            ? 'faucet'
            : 'Safe proxy'
        parts.push(`${name} ${Number(receipt.gasUsed).toLocaleString('en')}`)
        if (created === last) {
          console.log(`deployment: ${parts.join(', ')}`)
          return total
        }
      }
    }
  }

  /** Gas used inside each contract a transaction calls (delegated calls run as the market itself). */
  async function callsOf(hash: Hash) {
    type Frame = { to: Address; type: string; gasUsed: Hex; calls?: Frame[] }
    const trace = (await client.request({
      method: 'debug_traceTransaction' as never,
      params: [hash, { tracer: 'callTracer' }] as never,
    })) as Frame
    const inside: Record<string, { count: number; gas: number }> = {}
    const visit = (frame: Frame) => {
      for (const call of frame.calls ?? []) {
        if (call.type === 'DELEGATECALL') {
          visit(call)
          continue
        }
        const to = call.to.toLowerCase()
        const entry = inside[to] ?? { count: 0, gas: 0 }
        inside[to] = { count: entry.count + 1, gas: entry.gas + Number(BigInt(call.gasUsed)) }
      }
    }
    visit(trace)
    return inside
  }
} catch (error) {
  console.error(`gas: ${shortMessageOf(error)}`)
  process.exitCode = 1
} finally {
  await started?.stop()
}
