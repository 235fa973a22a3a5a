import { type Address, type Hex, recoverTypedDataAddress, sha256 } from 'viem'
import type { Check } from '../attestation/types.ts'
import { marketDomain, receiptTypes } from '../protocol/receipt.ts'
import type { FetchedResult } from './fetchResult.ts'
import type { PlacedOrder } from './placeOrder.ts'
import type { OrderRecord } from './readOrder.ts'
import type { VerifiedEnclave } from './verifyEnclave.ts'

/**
 * The customer's end-to-end checks of one order: the enclave's checks, then the receipt, the
 * on-chain record and every hash against what this customer sent and received.
 */
export async function verifyOrder(parameters: {
  chainId: number
  market: Address
  customer: Address
  enclave: VerifiedEnclave
  placed: PlacedOrder
  order: OrderRecord
  fetched: FetchedResult
}): Promise<{ ok: boolean; checks: Check[] }> {
  const { enclave, placed, order, fetched } = parameters
  let receiptSigner: Address | undefined
  try {
    receiptSigner = await recoverTypedDataAddress({
      domain: marketDomain(parameters.chainId, parameters.market),
      types: receiptTypes,
      primaryType: 'Receipt',
      message: {
        orderId: order.orderId,
        requestHash: order.requestHash,
        inputHash: order.inputHash,
        solutionHash: order.solutionHash,
        outputHash: order.outputHash,
      },
      signature: fetched.signature,
    })
  } catch {
    receiptSigner = undefined
  }
  const same = (a: Hex, b: Hex) => a.toLowerCase() === b.toLowerCase()
  const checks: Check[] = [
    ...enclave.checks,
    {
      name: 'receipt signed by the order’s enclave',
      ok:
        receiptSigner !== undefined &&
        same(receiptSigner, order.enclave) &&
        same(order.enclave, enclave.enclave),
      detail: `EIP-712 receipt recovers to ${receiptSigner ?? 'nothing'}`,
    },
    {
      name: 'on-chain order record',
      ok: order.status === 'completed' && same(order.customer, parameters.customer),
      detail: `order ${order.orderId}: ${order.status}, escrow ${order.escrow} paid out against the receipt`,
    },
    {
      name: 'input hash',
      ok: same(order.inputHash, placed.inputHash) && same(order.requestHash, placed.requestHash),
      detail: `input ciphertext ${order.inputHash}`,
    },
    {
      name: 'solution hash',
      ok: same(order.solutionHash, placed.solutionHash),
      detail: `PaddleOCR v4 bundle ${order.solutionHash}`,
    },
    {
      name: 'output hash',
      ok: same(sha256(fetched.output), order.outputHash),
      detail: `output ciphertext ${order.outputHash}`,
    },
    {
      name: 'result decrypted and authenticated',
      ok: true,
      detail: `${fetched.result.lines.length} lines, AES-256-GCM chunks all authentic`,
    },
  ]
  return { ok: checks.every((check) => check.ok), checks }
}
