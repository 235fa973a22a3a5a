import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import OpenAI from 'openai'
import { createTestClient, http } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { closeLease } from '../../src/chain/actions/leases/closeLease.ts'
import { finalizeLease } from '../../src/chain/actions/leases/finalizeLease.ts'
import { getLease } from '../../src/chain/actions/leases/getLease.ts'
import { getSettledUsage } from '../../src/chain/actions/leases/getSettledUsage.ts'
import { openLease } from '../../src/chain/actions/leases/openLease.ts'
import type { BoccSigner } from '../../src/chain/boccChain.ts'
import { createLeaseClient, type LeaseClient } from '../../src/client/leases/createLeaseClient.ts'
import { startLeaseProxy } from '../../src/client/leases/startLeaseProxy.ts'
import { type DevNetwork, devBlobStore, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { type LeaseUsageRecord, leaseSessionUnknown } from '../../src/protocol/leaseChannel.ts'
import { startEnclave } from '../../src/provider/enclaveClient.ts'
import { createLeaseFront } from '../../src/provider/leaseFront.ts'
import type { ProviderEvent } from '../../src/provider/providerEvents.ts'
import { serveFetch } from '../../src/storage/startBlobServer.ts'
import { childPids } from '../provider/support/providerTestbed.ts'

/** Polls until `probe` gives a value (the daemon works on its own schedule). */
async function waitFor<value>(
  probe: () => value | undefined | Promise<value | undefined>,
  timeoutMs = 60_000,
): Promise<value> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const canary = 'CANARY-7f3a9c-the-patient-is-allergic-to-penicillin'
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

/** Every byte the client sent to and received from the provider's front, and ways to meddle. */
function recordingFetch() {
  const seen: Uint8Array[] = []
  const state = {
    seen,
    target: '' as string,
    /** Rewrites the response lines of the next request (tamper, reorder, drop). */
    meddle: undefined as ((lines: string[]) => string[]) | undefined,
    lastRequestBody: '' as string,
    /** Answers the next request made under a session as an enclave that lost it would. */
    forgetSession: false,
  }
  const fetcher: typeof fetch = async (input, init) => {
    const url = new URL(String(input))
    const routed = state.target
      ? `${state.target.replace(/\/$/, '')}${url.pathname}`
      : String(input)
    if (typeof init?.body === 'string') {
      seen.push(new TextEncoder().encode(init.body))
      if (url.pathname === '/v1/bocc/requests') state.lastRequestBody = init.body
      if (state.forgetSession && JSON.parse(init.body).session) {
        state.forgetSession = false
        return Response.json({ error: leaseSessionUnknown }, { status: 400 })
      }
    }
    const response = await fetch(routed, init)
    const bytes: Uint8Array<ArrayBuffer> = new Uint8Array(await response.arrayBuffer())
    seen.push(bytes)
    let body: Uint8Array<ArrayBuffer> = bytes
    const meddle = state.meddle
    if (meddle && url.pathname === '/v1/bocc/requests' && response.ok) {
      state.meddle = undefined
      const lines = new TextDecoder().decode(bytes).split('\n').filter(Boolean)
      body = new TextEncoder().encode(`${meddle(lines).join('\n')}\n`)
    }
    return new Response(body, { status: response.status, headers: response.headers })
  }
  return { fetcher, state }
}

describe('leases: an OpenAI client through the proxy to the enclave, settled on-chain', () => {
  let workspace: string
  let network: DevNetwork
  let customer: BoccSigner
  let leaseId: bigint
  let escrow: bigint
  let client: LeaseClient
  let proxy: Awaited<ReturnType<typeof startLeaseProxy>>
  let openai: OpenAI
  const recorder = recordingFetch()
  const events: ProviderEvent[] = []
  /** The latest signed usage per enclave the client received. */
  const usages = new Map<string, LeaseUsageRecord>()

  before(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'bocc-leases-'))
    network = await startDevNetwork({
      directory: workspace,
      onProviderEvent: (event) => events.push(event),
    })
    customer = await network.signer('customer')
    const opened = await openLease(customer, {
      teeOfferId: network.provider.offerId,
      solutionOfferId: network.tinyChat.offerId,
      durationSeconds: 3_600,
      maxTokens: 10_000n,
    })
    leaseId = opened.leaseId
    escrow = opened.escrow
    client = await createLeaseClient({
      chain: customer,
      customer: customer.account as PrivateKeyAccount,
      blobs: devBlobStore(network),
      policy: network.policy,
      leaseId,
      // No endpoint: the one the provider's daemon published on-chain.
      fetch: recorder.fetcher,
      onUsage: (usage) => usages.set(usage.enclave, usage),
    })
    proxy = await startLeaseProxy(client)
    openai = new OpenAI({ apiKey: 'not-used', baseURL: `${proxy.url}v1`, maxRetries: 0 })
  })
  after(async () => {
    await proxy?.close()
    await network?.stop()
    await rm(workspace, { recursive: true, force: true })
  })

  it('answers the official OpenAI client, streaming and not, and lists the model', async () => {
    const models = await openai.models.list()
    assert.deepEqual(
      models.data.map((model) => model.id),
      [network.tinyChat.solutionHash],
    )
    const completion = await openai.chat.completions.create({
      model: network.tinyChat.solutionHash,
      messages: [{ role: 'user', content: `${canary} hello` }],
      max_tokens: 8,
    })
    assert.equal(completion.object, 'chat.completion')
    assert.ok(completion.usage && completion.usage.completion_tokens <= 8)
    assert.ok(completion.usage.prompt_tokens > 0)
    const stream = await openai.chat.completions.create({
      model: network.tinyChat.solutionHash,
      messages: [{ role: 'user', content: `${canary} again` }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let finish: string | null | undefined
    let usage: OpenAI.CompletionUsage | undefined | null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      usage = chunk.usage ?? usage
    }
    assert.ok(finish === 'stop' || finish === 'length')
    assert.ok(usage && usage.completion_tokens <= 8)
    assert.equal(typeof text, 'string')
    // The enclave signed cumulative usage of both requests for this customer.
    assert.equal(client.latestUsage()?.requests, '2')
  })

  it('detects a tampered, reordered, truncated or replayed ciphertext', async () => {
    const ask = async () => {
      for await (const _ of client.send({
        messages: [{ role: 'user', content: 'one two' }],
        max_tokens: 6,
      }));
    }
    recorder.state.meddle = (lines) =>
      lines.map((line, index) => {
        if (index !== 0) return line
        const chunk = JSON.parse(line)
        const bytes = Buffer.from(chunk.sealed, 'base64')
        bytes[0] = (bytes[0] as number) ^ 1
        return JSON.stringify({ ...chunk, sealed: bytes.toString('base64') })
      })
    await assert.rejects(ask(), /does not authenticate/)
    recorder.state.meddle = (lines) =>
      lines.length > 2
        ? [lines[1] as string, lines[0] as string, ...lines.slice(2)]
        : lines.reverse()
    await assert.rejects(ask(), /does not authenticate|out of place/)
    recorder.state.meddle = (lines) => lines.slice(0, -1)
    await assert.rejects(ask(), /cut off before its final chunk/)
    // The front sends the same sealed request again: the enclave refuses it.
    const replay = await fetch(`${network.leaseEndpoint}v1/bocc/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: recorder.state.lastRequestBody,
    })
    assert.equal(replay.status, 400)
    assert.match((await replay.json()).error, /replayed or out of order/)
    // A request binding a bigger budget than the lease's own is turned away by the front (and
    // would not open in the enclave: the terms are in its associated data).
    const inflated = await fetch(`${network.leaseEndpoint}v1/bocc/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...JSON.parse(recorder.state.lastRequestBody),
        maxTokens: '99999999',
      }),
    })
    assert.equal(inflated.status, 403)
    assert.match((await inflated.json()).error, /binds other terms than lease/)
    await ask()
  })

  it('signs the first request to an enclave only, and nobody else can forge the session MAC', async () => {
    const ask = async () => {
      for await (const _ of client.send({
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 2,
      }));
    }
    await ask()
    const underSession = JSON.parse(recorder.state.lastRequestBody)
    assert.equal(underSession.customerSignature, undefined)
    assert.match(underSession.session, /^0x[0-9a-f]{64}$/)
    const post = async (body: object) => {
      const response = await fetch(`${network.leaseEndpoint}v1/bocc/requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: response.status, error: String((await response.json()).error) }
    }
    const later = () => String(BigInt(Date.now()) * 1000n + 10_000_000n)
    // The front (or anyone) keeps the session id and MAC but numbers the request anew.
    const renumbered = await post({ ...underSession, sequence: later() })
    assert.equal(renumbered.status, 400)
    assert.match(renumbered.error, /session MAC is invalid/)
    const flipped = `${underSession.sessionMac.slice(0, -1)}${underSession.sessionMac.endsWith('0') ? '1' : '0'}`
    const badMac = await post({ ...underSession, sessionMac: flipped })
    assert.equal(badMac.status, 400)
    assert.match(badMac.error, /session MAC is invalid|replayed/)
    const invented = await post({ ...underSession, session: `0x${'ab'.repeat(32)}` })
    assert.match(invented.error, /session is unknown/)
    // A session of one lease is no session of another, even the same customer's.
    const other = await openLease(customer, {
      teeOfferId: network.provider.offerId,
      solutionOfferId: network.tinyChat.offerId,
      durationSeconds: 3_600,
      maxTokens: 10_000n,
    })
    const otherLease = await getLease(customer, { leaseId: other.leaseId })
    assert.ok(otherLease)
    const moved = await post({
      ...underSession,
      leaseId: String(other.leaseId),
      endsAt: String(otherLease.endsAt),
      maxTokens: String(otherLease.maxTokens),
    })
    assert.equal(moved.status, 400)
    assert.match(moved.error, /session is unknown/)
    // An enclave that lost the session makes the client sign once more, and serve on.
    recorder.state.forgetSession = true
    await ask()
    assert.match(JSON.parse(recorder.state.lastRequestBody).customerSignature, /^0x[0-9a-f]{130}$/)
    await ask()
    assert.ok(JSON.parse(recorder.state.lastRequestBody).session)
  })

  it('refuses an enclave key swapped mid-lease until it is verified', async () => {
    const rogue = await startEnclave({ tee: 'sim' })
    const rogueFront = createLeaseFront({ enclave: rogue })
    let forwarded = 0
    const server = await serveFetch({
      fetch: (request) => {
        if (new URL(request.url).pathname === '/v1/bocc/requests') forwarded++
        return rogueFront.fetch(request)
      },
    })
    try {
      recorder.state.target = server.url
      await assert.rejects(
        openai.chat.completions.create({
          model: network.tinyChat.solutionHash,
          messages: [{ role: 'user', content: canary }],
          max_tokens: 4,
        }),
        (error: unknown) => error instanceof OpenAI.APIError && error.status === 403,
      )
      // Sealed to the verified enclave, the request was turned away; nothing was sealed to the new key.
      assert.equal(forwarded, 1)
      assert.equal(rogueFront.unsettled().length, 0)
    } finally {
      recorder.state.target = ''
      await server.close()
      await rogue.stop()
    }
    const back = await openai.chat.completions.create({
      model: network.tinyChat.solutionHash,
      messages: [{ role: 'user', content: 'back' }],
      max_tokens: 2,
    })
    assert.equal(back.object, 'chat.completion')
  })

  it('follows the daemon to a new enclave when the serving one is lost, verifying it first', async () => {
    const lost = client.verified()?.enclave
    assert.ok(lost)
    const hostPid = events.flatMap((event) =>
      event.event === 'enclave-started' && event.identity.signer === lost ? [event.hostPid] : [],
    )[0] as number
    for (const pid of childPids(hostPid)) process.kill(pid, 'SIGKILL')
    const replaced = await waitFor(() =>
      events.find((event) => event.event === 'enclave-registered' && event.enclave !== lost),
    )
    assert.ok(replaced.event === 'enclave-registered')
    // Sealed to the lost enclave, the request gets 409; the client verifies the new one and resends.
    const answer = await openai.chat.completions.create({
      model: network.tinyChat.solutionHash,
      messages: [{ role: 'user', content: `${canary} after the replacement` }],
      max_tokens: 3,
    })
    assert.equal(answer.object, 'chat.completion')
    assert.equal(client.verified()?.enclave, replaced.enclave)
    assert.equal(client.latestUsage()?.enclave, replaced.enclave)
    assert.equal(client.latestUsage()?.requests, '1')
  })

  it('never shows the provider’s front a plaintext byte', () => {
    const everything = Buffer.concat(recorder.state.seen).toString('latin1')
    assert.ok(everything.length > 1000)
    for (const needle of [canary, 'CANARY', 'penicillin', Buffer.from(canary).toString('base64')])
      assert.equal(everything.includes(needle), false, `the front saw ${needle}`)
  })

  it('settles the signed usage and refunds the rest exactly at close', async () => {
    assert.equal(usages.size, 2)
    // The daemon settles every second, each enclave's usage on its own.
    for (const usage of usages.values())
      await waitFor(async () => {
        const settled = await getSettledUsage(customer, { leaseId, enclave: usage.enclave })
        return settled.requests === BigInt(usage.requests) ? settled : undefined
      })
    for (const usage of usages.values())
      assert.deepEqual(await getSettledUsage(customer, { leaseId, enclave: usage.enclave }), {
        tokensIn: BigInt(usage.tokensIn),
        tokensOut: BigInt(usage.tokensOut),
        requests: BigInt(usage.requests),
      })
    assert.ok(events.some((event) => event.event === 'lease-usage-settled'))
    await closeLease(customer, { leaseId })
    const testClient = createTestClient({
      mode: network.chain.node,
      transport: http(network.chain.rpcUrl),
    })
    await testClient.increaseTime({ seconds: 3_601 })
    await testClient.mine({ blocks: 1 })
    const paid = await finalizeLease(customer, { leaseId })
    const lease = await getLease(customer, { leaseId })
    assert.ok(lease)
    const tokens = [...usages.values()].reduce(
      (sum, usage) => sum + BigInt(usage.tokensIn) + BigInt(usage.tokensOut),
      0n,
    )
    const providerPaid = ceilDiv(
      lease.pricePerHour * BigInt(lease.closedAt - lease.startsAt),
      3_600n,
    )
    const vendorPaid = ceilDiv(lease.pricePerThousandTokens * tokens, 1_000n)
    assert.deepEqual(paid, { providerPaid, vendorPaid, refund: escrow - providerPaid - vendorPaid })
  })
})
