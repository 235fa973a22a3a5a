import { recoverTypedDataAddress } from 'viem'
import { type Check, checkOf, checksPassed } from '../attestation/checks.ts'
import type { AttestationPolicy } from '../attestation/policy.ts'
import { getSolutionOffer } from '../chain/actions/catalog/getSolutionOffer.ts'
import type { BoccChain } from '../chain/boccChain.ts'
import { BoccError, shortMessageOf } from '../errors.ts'
import { describeFailureReason } from '../protocol/failureReasons.ts'
import { decodeOrderRequest } from '../protocol/orderRequest.ts'
import { formatOrderId, orderTotal } from '../protocol/orderTerms.ts'
import { failureTypes, marketDomain, receiptTypes } from '../protocol/receipt.ts'
import type { BlobStore } from '../storage/blobStore.ts'
import { type OrderRecord, readOrder } from './readOrder.ts'
import { type VerifiedEnclave, verifyEnclave } from './verifyEnclave.ts'

/** The node answering the audit keeps only recent state: judging an old order needs an archive node. */
export class HistoricalStateUnavailableError extends BoccError {
  override name = 'HistoricalStateUnavailableError'
  constructor(blockNumber: bigint, options: { cause?: unknown } = {}) {
    super(
      `the RPC node no longer has the chain's state at block ${blockNumber}, where the order ran: auditing it needs an archive RPC (give --rpc URL of an archive node)`,
      options,
    )
  }
}

/**
 * What nodes answer for state they pruned: anvil (`BlockOutOfRangeError`), geth and its forks
 * (`missing trie node`, `header not found`), Erigon and Nethermind (`historical state … not
 * available`, `state … pruned`).
 */
const prunedStatePattern =
  /BlockOutOfRange|missing trie node|header not found|historical state|state[^\n]*(not available|unavailable|pruned)/i

export type OrderAudit = {
  ok: boolean
  checks: Check[]
  /** Refused only because the policy refuses the simulated TEE the order ran on. */
  simulatedOnly: boolean
  order: OrderRecord
  enclave: VerifiedEnclave
}

/**
 * Re-checks an order from public data only (the chain and the blob store), as any auditor can:
 * the enclave (record, evidence, policy, allow-list) as they stood at the block where the order
 * was accepted, that the data key was sealed to that enclave and nowhere else, the stored input,
 * the enclave's signed receipt or failure, and the stored output. An old order is judged by the
 * chain's state when it ran, not today's (public networks need an archive RPC for that).
 */
export async function auditOrder(
  chain: BoccChain,
  parameters: { orderId: bigint; blobs: BlobStore; policy: AttestationPolicy },
): Promise<OrderAudit> {
  const { blobs } = parameters
  const order = await readOrder(chain, parameters)
  const { terms } = order
  const ranAt = order.blocks.accepted ?? order.blocks.created
  const ranBlock = await chain.publicClient.getBlock({ blockNumber: ranAt })
  // One read of the state at that block first: a node that pruned it says so in one line here,
  // rather than as an RPC error from the middle of the enclave's checks.
  await chain.publicClient
    .getBalance({ address: chain.deployment.contracts.registry, blockNumber: ranAt })
    .catch((error: unknown) => {
      if (prunedStatePattern.test(error instanceof Error ? error.message : String(error)))
        throw new HistoricalStateUnavailableError(ranAt, { cause: error })
      throw error
    })
  const enclave = await verifyEnclave(chain, {
    enclave: terms.enclave,
    blobs,
    policy: parameters.policy,
    blockNumber: ranAt,
    at: new Date(Number(ranBlock.timestamp) * 1000),
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
      `order request ${terms.requestHash.slice(0, 18)}… seals the data keys to ${enclave.hpkePublicKey.slice(0, 18)}…`,
    )
  } catch (error) {
    check('data key sealed only to the order’s enclave', false, shortMessageOf(error))
  }
  try {
    await blobs.get(terms.inputHash)
    check('input hash', true, `input ciphertext ${terms.inputHash.slice(0, 18)}…`)
  } catch (error) {
    check('input hash', false, shortMessageOf(error))
  }
  if (terms.solutionOfferId === 0) {
    checks.push({
      name: 'model and bundle identity',
      status: 'not-applicable',
      explanation: 'the customer brought its own solution: no vendor offer names it',
      tier: 'supply chain and transparency',
    })
  } else {
    const offer = await getSolutionOffer(chain, { offerId: terms.solutionOfferId })
    checks.push(
      checkOf(
        'model and bundle identity',
        offer !== undefined && same(offer.solutionHash, terms.solutionHash),
        `the enclave's receipt names (through the order id) solution ${terms.solutionHash.slice(0, 18)}…, the bundle solution offer ${terms.solutionOfferId} sells and was paid for`,
        'supply chain and transparency',
      ),
    )
  }
  check(
    'on-chain order record',
    order.status === 'completed' || order.status === 'failed',
    `order ${formatOrderId(order.orderId)}: ${order.status}, escrow ${orderTotal(terms)}`,
  )
  const domain = marketDomain(chain.chain.id, chain.deployment.contracts.market)
  const recover = (typedData: Omit<Parameters<typeof recoverTypedDataAddress>[0], 'domain'>) =>
    recoverTypedDataAddress({ ...typedData, domain } as Parameters<
      typeof recoverTypedDataAddress
    >[0]).catch(() => undefined)
  if (order.failure) {
    const signer = await recover({
      types: failureTypes,
      primaryType: 'Failure',
      message: { orderId: order.orderId, reason: order.failure.reason },
      signature: order.failure.signature,
    })
    check(
      'failure signed by the order’s enclave',
      signer !== undefined && same(signer, terms.enclave),
      `${describeFailureReason(order.failure.reason)}; the escrow went back to the customer`,
    )
  }
  if (order.completion) {
    const { outputHash, wrappedResultKey, signature } = order.completion
    const signer = await recover({
      types: receiptTypes,
      primaryType: 'Receipt',
      message: { orderId: order.orderId, outputHash, wrappedResultKey },
      signature,
    })
    check(
      'receipt signed by the order’s enclave',
      signer !== undefined && same(signer, terms.enclave),
      `EIP-712 receipt recovers to ${signer ?? 'nothing'}`,
    )
    try {
      if (!order.publishedOutput) await blobs.get(outputHash)
      check(
        'output available',
        true,
        order.publishedOutput
          ? 'published on-chain in answer to a challenge'
          : `output ciphertext ${outputHash.slice(0, 18)}…`,
      )
    } catch (error) {
      check('output available', false, shortMessageOf(error))
    }
  }
  const ok = checksPassed(checks)
  const simulatedOnly =
    !ok &&
    enclave.verdict.tee === 'sim' &&
    checks
      .filter((item) => item.status !== 'passed' && item.status !== 'not-applicable')
      .every((item) => simulatedTeeChecks.includes(item.name))
  return { ok, checks, simulatedOnly, order, enclave }
}

/** The checks a policy that refuses the simulated TEE fails on sim evidence. */
const simulatedTeeChecks = ['evidence: policy: simulated TEE', 'evidence: policy: tee kind']
