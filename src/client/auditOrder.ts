import { type Address, recoverTypedDataAddress } from 'viem'
import { type Check, checkOf, checksPassed } from '../attestation/checks.ts'
import type { AttestationPolicy } from '../attestation/policy.ts'
import type { ChainConnection } from '../chain/connectChain.ts'
import { shortMessageOf } from '../errors.ts'
import { describeFailureReason } from '../protocol/failureReasons.ts'
import { decodeOrderRequest } from '../protocol/orderRequest.ts'
import { formatOrderId, orderTotal } from '../protocol/orderTerms.ts'
import { failureTypes, protocolDomain, receiptTypes } from '../protocol/receipt.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { type OrderRecord, readOrder } from './readOrder.ts'
import { type VerifiedEnclave, verifyEnclave } from './verifyEnclave.ts'

export type OrderAudit = {
  ok: boolean
  checks: Check[]
  order: OrderRecord
  enclave: VerifiedEnclave
}

/**
 * Re-checks an order from public data only (the chain and the blob store), as any auditor can:
 * the enclave (record, evidence, policy, allow-list), that the data key was sealed to that enclave
 * and nowhere else, the stored input, the receipt signature, and the stored output.
 */
export async function auditOrder(parameters: {
  connection: ChainConnection
  protocol: Address
  orderId: bigint
  blobs: BlobStore
  policy: AttestationPolicy
  fromBlock?: bigint
}): Promise<OrderAudit> {
  const { connection, protocol, blobs } = parameters
  const order = await readOrder(parameters)
  const { terms } = order
  const enclave = await verifyEnclave({
    connection,
    protocol,
    enclave: terms.enclave,
    blobs,
    policy: parameters.policy,
  })
  const checks: Check[] = [...enclave.checks]
  const check = (name: string, ok: boolean, detail: string) =>
    checks.push(checkOf(name, ok, detail, 'order'))
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

  try {
    const request = decodeOrderRequest(await blobs.get(terms.requestHash))
    check(
      'data key sealed only to the order’s enclave',
      same(request.enclaveSigner, terms.enclave) &&
        same(request.enclaveHpkePublicKey, enclave.hpkePublicKey) &&
        same(request.inputs[0]?.inputHash ?? '', terms.inputHash) &&
        same(request.solutionHash, terms.solutionHash),
      `order request ${terms.requestHash} seals the data keys to ${enclave.hpkePublicKey.slice(0, 18)}…`,
    )
  } catch (error) {
    check('data key sealed only to the order’s enclave', false, shortMessageOf(error))
  }
  try {
    await blobs.get(terms.inputHash)
    check('input hash', true, `input ciphertext ${terms.inputHash}`)
  } catch (error) {
    check('input hash', false, shortMessageOf(error))
  }
  check(
    'on-chain order record',
    order.status === 'completed' || order.status === 'failed',
    `order ${formatOrderId(order.orderId)}: ${order.status}, escrow ${orderTotal(terms)}`,
  )
  // Both statements an enclave signs cover the order's id and hashes; they differ in the last field.
  const orderFields = {
    orderId: order.orderId,
    requestHash: terms.requestHash,
    inputHash: terms.inputHash,
    solutionHash: terms.solutionHash,
  }
  const domain = protocolDomain(connection.chain.id, protocol)
  const recover = (typedData: Omit<Parameters<typeof recoverTypedDataAddress>[0], 'domain'>) =>
    recoverTypedDataAddress({ ...typedData, domain } as Parameters<
      typeof recoverTypedDataAddress
    >[0]).catch(() => undefined)
  if (order.failure) {
    const signer = await recover({
      types: failureTypes,
      primaryType: 'Failure',
      message: { ...orderFields, reason: order.failure.reason },
      signature: order.failure.signature,
    })
    check(
      'failure signed by the order’s enclave',
      signer !== undefined && same(signer, terms.enclave),
      `${describeFailureReason(order.failure.reason)}; the escrow went back to the customer`,
    )
  }
  if (order.completion) {
    const { outputHash, signature } = order.completion
    const signer = await recover({
      types: receiptTypes,
      primaryType: 'Receipt',
      message: { ...orderFields, outputHash },
      signature,
    })
    check(
      'receipt signed by the order’s enclave',
      signer !== undefined && same(signer, terms.enclave),
      `EIP-712 receipt recovers to ${signer ?? 'nothing'}`,
    )
    try {
      await blobs.get(outputHash)
      check('output hash', true, `output ciphertext ${outputHash}`)
    } catch (error) {
      check('output hash', false, shortMessageOf(error))
    }
  }
  return { ok: checksPassed(checks), checks, order, enclave }
}
