import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { sealLeaseRequest } from '../../src/client/leases/sealLeaseRequest.ts'
import { encryptObject } from '../../src/crypto/chunkedAead.ts'
import {
  createResponseOpener,
  type LeaseRequestContext,
  type LeaseResponseEvent,
} from '../../src/protocol/leaseChannel.ts'
import { releaseLeaseKey } from '../../src/protocol/leaseKeyRelease.ts'
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
      from: { customer },
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

describe('an encrypted chat model serves a lease once its owner releases the key for it', () => {
  let enclave: EnclaveClient
  let signer: Address
  let hpkePublicKey: `0x${string}`
  const bundle = createTinyChatBundle()
  const customer = privateKeyToAccount(generatePrivateKey())
  const leases = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
  let sealedBundle: { key: Uint8Array; ciphertext: Uint8Array }
  let sequence = BigInt(Date.now()) * 1000n
  /** The model owner's releases, made for the lease it is asked about (or a wrong one). */
  const released: bigint[] = []
  let releaseFor = (leaseId: bigint) => leaseId

  before(async () => {
    enclave = await startEnclave({ tee: 'sim' })
    ;({ signer, hpkePublicKey } = await enclave.request('identity', {}))
    sealedBundle = await encryptObject(packSolutionBundle(bundle))
  })
  after(() => enclave.stop())

  const frontOf = (withReleases: boolean) =>
    createLeaseFront({
      enclave,
      loadBundle: async () => sealedBundle.ciphertext,
      ...(withReleases
        ? {
            keyReleaseFor: async (lease: { leaseId: bigint; hpkePublicKey: `0x${string}` }) => {
              released.push(lease.leaseId)
              return releaseLeaseKey({
                chainId: 31337,
                leases,
                leaseId: releaseFor(lease.leaseId),
                solutionHash: bundle.solutionHash,
                enclaveHpkePublicKey: lease.hpkePublicKey,
                key: sealedBundle.key,
              })
            },
          }
        : {}),
    })
  const ask = async (front: LeaseFront, leaseId: bigint) => {
    const context: LeaseRequestContext = {
      chainId: 31337,
      leases,
      leaseId,
      solutionHash: bundle.solutionHash,
      enclave: signer,
      sequence: ++sequence,
      endsAt: Math.floor(Date.now() / 1000) + 3_600,
      maxTokens: 1_000n,
    }
    const sealed = await sealLeaseRequest({
      context,
      enclaveHpkePublicKey: hpkePublicKey,
      body: { messages: [{ role: 'user', content: 'hello' }], max_tokens: 3 },
      from: { customer },
    })
    const response = await front.fetch(
      new Request('http://front.invalid/v1/bocc/requests', {
        method: 'POST',
        body: JSON.stringify(sealed.request),
      }),
    )
    if (!response.ok)
      return { status: response.status, error: String((await response.json()).error) }
    const opener = createResponseOpener(sealed.responseKey, context)
    let last: LeaseResponseEvent | undefined
    for (const line of (await response.text()).split('\n').filter(Boolean))
      last = await opener.open(JSON.parse(line))
    return { status: response.status, last }
  }

  it('refuses a lease without a release, and one whose release is for another lease', async () => {
    const none = await ask(frontOf(false), 1n)
    assert.equal(none.status, 503)
    assert.match(String(none.error), /encrypted and no key release for lease 1/)
    releaseFor = (leaseId) => leaseId + 100n
    const wrong = await ask(frontOf(true), 1n)
    assert.equal(wrong.status, 400)
    assert.match(String(wrong.error), /key release does not open/)
    releaseFor = (leaseId) => leaseId
    released.length = 0
  })

  it('decrypts the model on the first release, and asks every other lease for its own', async () => {
    const front = frontOf(true)
    const first = await ask(front, 2n)
    assert.equal(first.last?.type, 'done', JSON.stringify(first))
    const again = await ask(front, 2n)
    assert.equal(again.last?.type, 'done')
    assert.deepEqual(released, [2n], 'one release serves the lease from then on')
    const other = await ask(front, 3n)
    assert.equal(other.last?.type, 'done')
    assert.deepEqual(released, [2n, 3n])
  })
})
