// `npm run gas`: measures the gas of every protocol call on a local chain and writes
// bench/results/gas.json. What each figure covers is in docs/gas.md.
import { mkdir, writeFile } from 'node:fs/promises'
import { parseEther, type TransactionReceipt } from 'viem'
import { shortMessageOf } from '../src/errors.ts'
import type { OrderTerms } from '../src/protocol/orderTerms.ts'
import { startLocalProtocol } from '../test/support/localProtocol.ts'
import { label, protocolHarness, zeroHash } from '../test/support/protocolHarness.ts'

const dev = await startLocalProtocol()
try {
  const h = protocolHarness(dev)
  const { provider, customer, modelVendor, stranger } = dev.signers
  const gas: Record<string, number> = {}
  const used = (receipt: TransactionReceipt) => Number(receipt.gasUsed)
  const measure = async (name: string, action: Promise<{ receipt: TransactionReceipt }>) => {
    const { receipt } = await action
    gas[name] = used(receipt)
    return receipt
  }

  await h.approve(provider, parseEther('1000'))
  await measure('stake', h.send(provider, 'stake', [parseEther('500')]))
  const registered = await h.newEnclave(provider, { expiresAt: (await h.now()) + 300 * 86_400 })
  const enclave = registered.key
  await measure(
    'registerEnclave',
    h.send(provider, 'registerEnclave', [
      registered.registration,
      await h.approvals(registered.registration),
    ]),
  )
  const teeOfferId = h.idFrom(
    (
      await measure(
        'createTeeOffer',
        h.send(provider, 'createTeeOffer', [0, parseEther('3'), 1000]),
      )
    ).logs,
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
          1,
          zeroHash,
          [],
        ]),
      )
    ).logs,
    'SolutionOfferCreated',
  )
  await h.approve(customer, parseEther('10000'))
  await measure('deposit', h.send(customer, 'deposit', [parseEther('1000')]))

  let nonce = 0
  const params = async () => {
    const now = await h.now()
    nonce += 1
    return {
      enclave: enclave.address,
      teeOfferId,
      solutionOfferId,
      dataOfferId: 0,
      acceptBy: now + 600,
      deadline: now + 3600,
      requestHash: label(`request ${nonce}`),
      inputHash: label(`input ${nonce}`),
      solutionHash,
      maxPayment: parseEther('10'),
    }
  }
  const create = async (signer = customer) => {
    const { receipt } = await h.send(signer, 'createOrder', [await params()])
    return { ...h.orderFrom(receipt.logs), gas: used(receipt) }
  }
  const submission = async (order: { orderId: bigint; terms: OrderTerms }) => ({
    terms: order.terms,
    outputHash: label(`output ${order.orderId}`),
    signature: await h.signReceipt(
      enclave,
      order.orderId,
      order.terms,
      label(`output ${order.orderId}`),
    ),
  })
  const lifecycle = async () => {
    const order = await create()
    const accepted = used((await h.send(provider, 'acceptOrder', [order.terms])).receipt)
    const receipt = await submission(order)
    const completed = used(
      (
        await h.send(provider, 'submitReceipt', [
          receipt.terms,
          receipt.outputHash,
          receipt.signature,
        ])
      ).receipt,
    )
    return { create: order.gas, accept: accepted, receipt: completed }
  }

  // Warm up: the first order makes every balance non-zero; the figures are the steady state.
  const first = await lifecycle()
  gas.lifecycle_first_order = first.create + first.accept + first.receipt
  const steady = await lifecycle()
  Object.assign(gas, { create: steady.create, accept: steady.accept, receipt: steady.receipt })
  gas.lifecycle = steady.create + steady.accept + steady.receipt

  // The customer pays from its wallet instead of a prior deposit.
  await h.approve(stranger, parseEther('100'))
  await create(stranger)
  gas.create_with_transfer = (await create(stranger)).gas

  const failing = await create()
  await h.send(provider, 'acceptOrder', [failing.terms])
  await measure(
    'failure',
    h.send(provider, 'submitFailure', [
      failing.terms,
      2,
      await h.signFailure(enclave, failing.orderId, failing.terms, 2),
    ]),
  )
  const toCancel = await create()
  await measure('cancel', h.send(customer, 'cancelOrder', [toCancel.terms]))
  const unaccepted = await create()
  const late = await create()
  await h.send(provider, 'acceptOrder', [late.terms])
  await dev.increaseTime(3601)
  await measure('refund', h.send(stranger, 'refundOrder', [unaccepted.terms]))
  await measure('refund_with_slash', h.send(stranger, 'refundOrder', [late.terms]))
  await measure('withdraw', h.send(provider, 'withdraw', [parseEther('1')]))

  const batch = []
  let createTotal = 0
  for (let i = 0; i < 20; i++) {
    const order = await create()
    createTotal += order.gas
    batch.push(order)
  }
  const acceptBatch = used(
    (await h.send(provider, 'acceptOrders', [batch.map((order) => order.terms)])).receipt,
  )
  const receiptBatch = used(
    (await h.send(provider, 'submitReceipts', [await Promise.all(batch.map(submission))])).receipt,
  )
  gas.accept_per_order_batch20 = Math.round(acceptBatch / 20)
  gas.receipt_per_order_batch20 = Math.round(receiptBatch / 20)
  gas.lifecycle_per_order_batch20 = Math.round((createTotal + acceptBatch + receiptBatch) / 20)

  await mkdir('bench/results', { recursive: true })
  await writeFile('bench/results/gas.json', `${JSON.stringify(gas, null, 2)}\n`)
  for (const [name, value] of Object.entries(gas))
    console.log(`${name.padEnd(30)} ${value.toLocaleString('en')}`)
} catch (error) {
  console.error(`gas: ${shortMessageOf(error)}`)
  process.exitCode = 1
} finally {
  await dev.stop()
}
