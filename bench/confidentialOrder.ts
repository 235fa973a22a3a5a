import type { Hex } from 'viem'
import type { BoccSigner } from '../src/chain/boccChain.ts'
import { auditOrder } from '../src/client/auditOrder.ts'
import { checkResult } from '../src/client/checkResult.ts'
import type { InputSource } from '../src/client/encryptInput.ts'
import { fetchOutputs, fetchResult } from '../src/client/fetchResult.ts'
import { placeOrder } from '../src/client/placeOrder.ts'
import { waitForOrderCompletion } from '../src/client/readOrder.ts'
import { verifyEnclave } from '../src/client/verifyEnclave.ts'
import { type DevNetwork, devBlobStore } from '../src/devnet/startDevNetwork.ts'

/** A solution on sale on the network: its offer, hash and bundle. */
export type OfferedSolution = { offerId: number; solutionHash: Hex; bundleHash: Hex }

/** When an order's steps ended, in `performance.now()` milliseconds. */
export type OrderTimes = { started: number; created: number; verified: number }

/**
 * One confidential order the way a customer runs it, every step included: verify the enclave,
 * encrypt and upload, order with escrow, wait for the receipt, download, decrypt, verify. The
 * network's OCR solution on one image unless another solution and inputs are given.
 */
export async function runConfidentialOrder(
  network: DevNetwork,
  customer: BoccSigner,
  image: Uint8Array,
  options: { solution?: OfferedSolution; inputs?: InputSource[]; timeoutMs?: number } = {},
): Promise<OrderTimes> {
  const started = performance.now()
  const solution = options.solution ?? network.ocr
  const blobs = devBlobStore(network)
  const enclave = await verifyEnclave(customer, {
    enclave: network.provider.enclave,
    blobs,
    policy: network.policy,
  })
  const placed = await placeOrder(customer, {
    blobs,
    teeOfferId: network.provider.offerId,
    solutionOfferId: solution.offerId,
    enclave,
    solutionHash: solution.solutionHash,
    solutionBundleHash: solution.bundleHash,
    inputs: options.inputs ?? [{ bytes: image }],
  })
  const created = performance.now()
  const order = await waitForOrderCompletion(customer, {
    orderId: placed.orderId,
    timeoutMs: options.timeoutMs ?? 120_000,
  })
  const fetched = options.solution
    ? await fetchOutputs({ order, blobs, resultKey: placed.resultKey })
    : await fetchResult({ order, blobs, resultKey: placed.resultKey })
  const audit = await auditOrder(customer, {
    orderId: placed.orderId,
    blobs,
    policy: network.policy,
  })
  const checked = checkResult({ audit, placed, fetched, solutionHash: solution.solutionHash })
  if (!checked.ok) throw new Error('a benchmark order did not verify')
  return { started, created, verified: performance.now() }
}
