import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { sealLeaseRequest } from '../../src/client/leases/sealLeaseRequest.ts'
import {
  createResponseOpener,
  type LeaseRequestContext,
  type LeaseResponseEvent,
} from '../../src/protocol/leaseChannel.ts'
import { packSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { type EnclaveClient, startEnclave } from '../../src/provider/enclaveClient.ts'
import { createLeaseFront, type LeaseFront } from '../../src/provider/leaseFront.ts'
import { createTinyChatBundle } from '../../src/solutions/tiny-chat/tinyChatSolution.ts'

/**
 * The enclave holds each request to the lease terms the customer bound into it (its end, its
 * token budget), whatever the front does: a real runtime (sim TEE) behind a front without a
 * chain, which checks nothing and forwards everything.
 */
describe('the enclave enforces the lease terms bound into each request', () => {
  let enclave: EnclaveClient
  let front: LeaseFront
  let signer: Address
  let hpkePublicKey: `0x${string}`
  const bundle = createTinyChatBundle()
  const customer = privateKeyToAccount(generatePrivateKey())
  let sequence = BigInt(Date.now()) * 1000n

  before(async () => {
    enclave = await startEnclave({ tee: 'sim' })
    front = createLeaseFront({ enclave, loadBundle: async () => packSolutionBundle(bundle) })
    ;({ signer, hpkePublicKey } = await enclave.request('identity', {}))
  })
  after(() => enclave.stop())

  /** Sends one request under `terms` through the front; the opened events, or the refusal. */
  const send = async (
    terms: { leaseId: bigint; endsAt: number; maxTokens: bigint },
    body: unknown,
  ): Promise<{ status: number; error?: string; events: LeaseResponseEvent[] }> => {
    const context: LeaseRequestContext = {
      chainId: 31337,
      leases: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      solutionHash: bundle.solutionHash,
      enclave: signer,
      sequence: ++sequence,
      ...terms,
    }
    const sealed = await sealLeaseRequest({
      context,
      enclaveHpkePublicKey: hpkePublicKey,
      body,
      customer,
    })
    const response = await front.fetch(
      new Request('http://front.invalid/v1/bocc/requests', {
        method: 'POST',
        body: JSON.stringify(sealed.request),
      }),
    )
    if (!response.ok) return { status: response.status, ...(await response.json()), events: [] }
    const opener = createResponseOpener(sealed.responseKey, context)
    const events: LeaseResponseEvent[] = []
    for (const line of (await response.text()).split('\n').filter(Boolean))
      events.push(await opener.open(JSON.parse(line)))
    opener.assertFinished()
    return { status: response.status, events }
  }
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3_600
  const hello = (maxTokens: number) => ({
    messages: [{ role: 'user', content: 'hello there' }],
    max_tokens: maxTokens,
  })

  it('refuses a request for a lease past its end, signing nothing', async () => {
    const ended = await send(
      { leaseId: 1n, endsAt: Math.floor(Date.now() / 1000) - 1, maxTokens: 1_000n },
      hello(4),
    )
    assert.equal(ended.status, 400)
    assert.match(String(ended.error), /lease 1 has ended/)
    assert.equal(front.unsettled().length, 0)
  })

  it('caps max_tokens by what the budget leaves, then refuses once it is spent', async () => {
    // How many tokens the prompt takes, from a lease with room to spare.
    const probe = await send({ leaseId: 2n, endsAt: inAnHour(), maxTokens: 1_000n }, hello(1))
    const done = probe.events.at(-1)
    assert.ok(done?.type === 'done')
    const promptTokens = done.promptTokens

    const budget = BigInt(promptTokens + 3)
    const capped = await send({ leaseId: 3n, endsAt: inAnHour(), maxTokens: budget }, hello(50))
    const last = capped.events.at(-1)
    assert.ok(last?.type === 'done', JSON.stringify(last))
    assert.ok(last.completionTokens <= 3)
    const used = BigInt(last.usage.tokensIn) + BigInt(last.usage.tokensOut)
    assert.ok(used <= budget, `served ${used} tokens of a budget of ${budget}`)

    const next = await send({ leaseId: 3n, endsAt: inAnHour(), maxTokens: budget }, hello(50))
    if (used >= budget) {
      assert.equal(next.status, 400)
      assert.match(String(next.error), /budget of \d+ tokens is spent/)
    } else {
      // Something is left, yet less than the prompt needs: refused in a sealed error chunk.
      const refused = next.events.at(-1)
      assert.ok(refused?.type === 'error')
      assert.match(refused.message, /lease’s budget has \d+ left/)
    }
    // Nothing beyond the budget was signed: the usage the front holds is the capped one.
    const held = front.unsettled().find((usage) => usage.leaseId === 3n)
    assert.ok(held && held.tokensIn + held.tokensOut <= budget && held.requests === 1n)
  })
})
