import type { BoccSigner } from '../src/chain/boccChain.ts'
import { auditOrder } from '../src/client/auditOrder.ts'
import { checkResult } from '../src/client/checkResult.ts'
import { fetchResult } from '../src/client/fetchResult.ts'
import { placeOrder } from '../src/client/placeOrder.ts'
import { waitForOrderCompletion } from '../src/client/readOrder.ts'
import { verifyEnclave } from '../src/client/verifyEnclave.ts'
import { type DevNetwork, devBlobStore } from '../src/devnet/startDevNetwork.ts'

/**
 * One confidential OCR order the way a customer runs it, every step included: verify the enclave,
 * encrypt and upload, order with escrow, wait for the receipt, download, decrypt, verify.
 */
export async function runConfidentialOrder(
  network: DevNetwork,
  customer: BoccSigner,
  image: Uint8Array,
  timeoutMs = 120_000,
): Promise<void> {
  const blobs = devBlobStore(network)
  const enclave = await verifyEnclave(customer, {
    enclave: network.provider.enclave,
    blobs,
    policy: network.policy,
  })
  const placed = await placeOrder(customer, {
    blobs,
    teeOfferId: network.provider.offerId,
    solutionOfferId: network.ocr.offerId,
    enclave,
    solutionHash: network.ocr.solutionHash,
    solutionBundleHash: network.ocr.bundleHash,
    inputs: [{ bytes: image }],
  })
  const order = await waitForOrderCompletion(customer, { orderId: placed.orderId, timeoutMs })
  const fetched = await fetchResult({ order, blobs, resultKey: placed.resultKey })
  const audit = await auditOrder(customer, {
    orderId: placed.orderId,
    blobs,
    policy: network.policy,
  })
  const checked = checkResult({ audit, placed, fetched, solutionHash: network.ocr.solutionHash })
  if (!checked.ok) throw new Error('a benchmark order did not verify')
}
