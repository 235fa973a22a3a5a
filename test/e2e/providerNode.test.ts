import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parseEther } from 'viem'
import { getStake } from '../../src/chain/actions/market/getStake.ts'
import { refundOrder } from '../../src/chain/actions/market/refundOrder.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { fetchResult } from '../../src/client/fetchResult.ts'
import { placeOrder } from '../../src/client/placeOrder.ts'
import { readOrder, waitForOrderCompletion } from '../../src/client/readOrder.ts'
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
import { type BlobStore, createFsBlobStore } from '../../src/storage/blobStore.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'

/**
 * The provider node with more orders than its capacity, from several customers at once: it runs
 * them concurrently up to its capacity, keeps the rest queued instead of dropping them, submits
 * each receipt as soon as it is ready, and never accepts an order it cannot serve (its input is
 * missing), which then ends in a refund without slashing.
 */
describe('provider node', () => {
  let dev: LocalProtocol
  let node: ProviderNode
  let workDir: string
  let blobs: BlobStore
  const events: ProviderEvent[] = []

  before(async () => {
    dev = await startLocalProtocol()
    workDir = await mkdtemp(join(tmpdir(), 'bocc-provider-'))
    blobs = createFsBlobStore(join(workDir, 'blobs'))
    node = await startProviderNode({
      deployment: dev.deployment,
      privateKey: devPrivateKey(devRoles.provider),
      blobs,
      tee: 'sim',
      committeeUrls: [dev.committee.url],
      price: parseEther('2'),
      capacity: 2,
      onEvent: (event) => events.push(event),
    })
  })
  after(async () => {
    await node?.stop()
    await dev?.stop()
    await rm(workDir, { recursive: true, force: true })
  })

  it('serves more orders than its capacity from several customers, and refuses one it cannot serve', async () => {
    const ocr = await publishSolutionBundle(blobs, paddleOcrSolution())
    const image = new Uint8Array(await readFile('examples/lab-report.png'))
    const policy = { allowSim: true, allowedMeasurements: [measureRuntime()] }
    const enclave = await verifyEnclave(dev.signers.customer, {
      enclave: node.enclave.signer,
      blobs,
      policy,
    })
    assert.ok(enclave.ok)
    const order = (customer: typeof dev.signers.customer, store: BlobStore = blobs) =>
      placeOrder(customer, {
        blobs: store,
        teeOfferId: node.offerId,
        solutionOfferId: 0,
        enclave,
        solutionHash: ocr.solutionHash,
        solutionBundleHash: ocr.bundleHash,
        inputs: [{ bytes: image }],
      })
    // One customer keeps its input to itself: the provider cannot serve that order.
    const privateBlobs = createFsBlobStore(join(workDir, 'private'))
    await publishSolutionBundle(privateBlobs, paddleOcrSolution())
    const placed = await Promise.all([
      order(dev.signers.customer),
      order(dev.signers.customer),
      order(dev.signers.stranger),
      order(dev.signers.modelVendor),
    ])
    const unservable = await order(dev.signers.dataVendor, privateBlobs)
    await blobs.put(await privateBlobs.get(unservable.terms.requestHash))

    for (const placedOrder of placed) {
      const completed = await waitForOrderCompletion(dev.signers.customer, {
        orderId: placedOrder.orderId,
        timeoutMs: 120_000,
      })
      const { result } = await fetchResult({
        order: completed,
        blobs,
        resultKey: placedOrder.resultKey,
      })
      assert.ok(result.lines.some((line) => line.text.includes('NORTHGATE')))
    }
    const receipted = events.flatMap((event) =>
      event.event === 'receipts-accepted' ? event.orderIds : [],
    )
    assert.deepEqual(
      [...receipted].sort(),
      placed.map((placedOrder) => formatOrderId(placedOrder.orderId)).sort(),
    )
    // It is looked at once capacity frees up, and refused without being accepted.
    for (let waited = 0; waited < 30_000; waited += 100) {
      if (
        events.some(
          (event) =>
            event.event === 'order-refused' && event.orderId === formatOrderId(unservable.orderId),
        )
      )
        break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.ok(
      events.some(
        (event) =>
          event.event === 'order-refused' && event.orderId === formatOrderId(unservable.orderId),
      ),
    )
    // Never accepted: refunded after acceptBy, and the provider keeps its whole stake.
    assert.equal((await readOrder(dev.signers.customer, unservable)).status, 'created')
    const stakeBefore = await getStake(dev.signers.deployer, {
      provider: dev.signers.provider.account.address,
    })
    await dev.increaseTime(180)
    await refundOrder(dev.signers.stranger, { terms: unservable.terms })
    const refunded = await readOrder(dev.signers.customer, unservable)
    assert.equal(refunded.status, 'refunded')
    assert.equal(refunded.refund?.slashed, 0n)
    assert.deepEqual(
      await getStake(dev.signers.deployer, { provider: dev.signers.provider.account.address }),
      stakeBefore,
    )
  })
})
