import { type Address, type Hex, recoverTypedDataAddress, sha256 } from 'viem'
import type { Check } from '../attestation/types.ts'
import { orderTotal } from '../protocol/orderTerms.ts'
import { protocolDomain, receiptTypes } from '../protocol/receipt.ts'
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
  protocol: Address
  enclave: VerifiedEnclave
  placed: PlacedOrder
  order: OrderRecord
  fetched: FetchedResult
  solutionHash: Hex
}): Promise<{ ok: boolean; checks: Check[] }> {
  const { enclave, placed, order, fetched } = parameters
  const { terms } = order
  const outputHash = order.completion?.outputHash ?? '0x'
  let receiptSigner: Address | undefined
  try {
    receiptSigner = await recoverTypedDataAddress({
      domain: protocolDomain(parameters.chainId, parameters.protocol),
      types: receiptTypes,
      primaryType: 'Receipt',
      message: {
        orderId: order.orderId,
        requestHash: terms.requestHash,
        inputHash: terms.inputHash,
        solutionHash: terms.solutionHash,
        outputHash,
      },
      signature: order.completion?.signature ?? '0x',
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
        same(receiptSigner, terms.enclave) &&
        same(terms.enclave, enclave.enclave),
      detail: `EIP-712 receipt recovers to ${receiptSigner ?? 'nothing'}`,
    },
    {
      name: 'on-chain order record',
      ok: order.status === 'completed' && same(terms.customer, placed.terms.customer),
      detail: `order ${order.orderId}: ${order.status}, escrow of ${orderTotal(terms)} paid out against the receipt`,
    },
    {
      name: 'input hash',
      ok:
        same(terms.inputHash, placed.terms.inputHash) &&
        same(terms.requestHash, placed.terms.requestHash),
      detail: `input ciphertext ${terms.inputHash}`,
    },
    {
      name: 'solution hash',
      ok: same(terms.solutionHash, parameters.solutionHash),
      detail: `PaddleOCR v4 bundle ${terms.solutionHash}`,
    },
    {
      name: 'output hash',
      ok: same(sha256(fetched.output), outputHash),
      detail: `output ciphertext ${outputHash}`,
    },
    {
      name: 'result decrypted and authenticated',
      ok: true,
      detail: `${fetched.result.lines.length} lines, AES-256-GCM chunks all authentic`,
    },
  ]
  return { ok: checks.every((item) => item.ok), checks }
}
