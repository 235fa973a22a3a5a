import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import { boccProtocolAbi } from '../../src/chain/artifacts.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { sendTransaction } from '../../src/chain/sendTransaction.ts'
import { fetchResult } from '../../src/client/fetchResult.ts'
import { placeOrder } from '../../src/client/placeOrder.ts'
import { waitForOrderCompletion } from '../../src/client/readOrder.ts'
import { verifyEnclave } from '../../src/client/verifyEnclave.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import { publishSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import {
  type ProviderEvent,
  type ProviderNode,
  startProviderNode,
} from '../../src/provider/providerNode.ts'
import { paddleOcrSolution } from '../../src/solutions/paddleocr/paddleOcrSolution.ts'
import { createFsBlobStore } from '../../src/storage/blobStore.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'

/**
 * The provider node with several orders at once: it accepts them in one batch, falls back to one
 * transaction per order when the batch is refused (here: one order was cancelled meanwhile), and
 * submits the receipts in one batch.
 */
describe('provider node', () => {
  let dev: LocalProtocol
  let node: ProviderNode
  let workDir: string
  const events: ProviderEvent[] = []

  before(async () => {
    dev = await startLocalProtocol()
    workDir = await mkdtemp(join(tmpdir(), 'bocc-provider-'))
    node = await startProviderNode({
      rpcUrl: dev.chain.rpcUrl,
      protocol: dev.deployment.protocol,
      privateKey: devPrivateKey(devRoles.provider),
      blobs: createFsBlobStore(join(workDir, 'blobs')),
      tee: 'sim',
      committeeUrls: [dev.committee.url],
      price: parseEther('2'),
      // Long enough that the orders below all arrive between two looks at the chain.
      pollIntervalMs: 4000,
      onEvent: (event) => events.push(event),
    })
  })
  after(async () => {
    await node?.stop()
    await dev?.stop()
    await rm(workDir, { recursive: true, force: true })
  })

  it('accepts in a batch, falls back order by order when the batch is refused, and completes the rest', async () => {
    const blobs = createFsBlobStore(join(workDir, 'blobs'))
    const ocr = await publishSolutionBundle(blobs, paddleOcrSolution())
    const image = new Uint8Array(await readFile('examples/lab-report.png'))
    const customers = [dev.signers.customer, dev.signers.stranger, dev.signers.modelVendor]
    const policy = { allowSim: true, allowedMeasurements: [measureRuntime()] }
    const enclave = await verifyEnclave({
      connection: dev.signers.customer,
      protocol: dev.deployment.protocol,
      enclave: node.enclave.signer,
      blobs,
      policy,
    })
    assert.ok(enclave.ok)
    const placed = await Promise.all(
      customers.map((connection) =>
        placeOrder({
          connection,
          protocol: dev.deployment.protocol,
          blobs,
          teeOfferId: node.offerId,
          solutionOfferId: 0,
          enclave,
          solutionHash: ocr.solutionHash,
          solutionBundleHash: ocr.bundleHash,
          inputs: [{ bytes: image }],
        }),
      ),
    )
    const [kept, cancelled, alsoKept] = placed
    if (!kept || !cancelled || !alsoKept) throw new Error('unreachable')
    await sendTransaction(dev.signers.stranger, {
      address: dev.deployment.protocol,
      abi: boccProtocolAbi,
      functionName: 'cancelOrder',
      args: [cancelled.terms],
    })

    for (const order of [kept, alsoKept]) {
      const completed = await waitForOrderCompletion({
        connection: dev.signers.customer,
        protocol: dev.deployment.protocol,
        orderId: order.orderId,
        timeoutMs: 60_000,
      })
      const { result } = await fetchResult({ order: completed, blobs, resultKey: order.resultKey })
      assert.ok(result.lines.some((line) => line.text.includes('NORTHGATE')))
    }
    const failed = events.filter((event) => event.event === 'order-failed')
    assert.deepEqual(
      failed.map((event) => 'orderId' in event && event.orderId),
      [formatOrderId(cancelled.orderId)],
    )
    const receipts = events.filter((event) => event.event === 'receipts-accepted')
    assert.deepEqual(
      receipts.flatMap((event) => ('orderIds' in event ? event.orderIds : [])).sort(),
      [kept, alsoKept].map((order) => formatOrderId(order.orderId)).sort(),
    )
    assert.equal(receipts.length, 1, 'both receipts went in one batch')
    assert.ok(events.some((event) => event.event === 'withdrawn'))
  })
})
