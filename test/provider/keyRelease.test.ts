import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Address, parseEther, toBytes } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { closeLease } from '../../src/chain/actions/leases/closeLease.ts'
import { openLease } from '../../src/chain/actions/leases/openLease.ts'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { createContentKeyStore } from '../../src/client/contentKeyStore.ts'
import { fetchOutputs } from '../../src/client/fetchResult.ts'
import { createLeaseClient } from '../../src/client/leases/createLeaseClient.ts'
import { placeOrder } from '../../src/client/placeOrder.ts'
import { type PublishedSolution, publishSolution } from '../../src/client/publishSolution.ts'
import { readOrder } from '../../src/client/readOrder.ts'
import type { WrappedKey } from '../../src/crypto/hpke.ts'
import { devPolicy } from '../../src/devnet/startDevNetwork.ts'
import {
  type OwnerAgent,
  type OwnerAgentEvent,
  startOwnerAgent,
} from '../../src/owner/startOwnerAgent.ts'
import type { LeaseResponseEvent } from '../../src/protocol/leaseChannel.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import { createSolutionBundle, packSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { type EnclaveClient, startEnclave } from '../../src/provider/enclaveClient.ts'
import { fetchLeaseKeyRelease } from '../../src/provider/fetchKeyRelease.ts'
import { createLeaseFront } from '../../src/provider/leaseFront.ts'
import { registerEnclave } from '../../src/provider/registerEnclave.ts'
import { createTinyChatBundle } from '../../src/solutions/tiny-chat/tinyChatSolution.ts'
import { type RunningServer, serveFetch } from '../../src/storage/startBlobServer.ts'
import { protocolHarness } from '../support/protocolHarness.ts'
import { assembleWat, echoManifest, echoWat } from '../support/wasmModules.ts'
import {
  type DaemonRun,
  type ProviderTestbed,
  startProviderTestbed,
} from './support/providerTestbed.ts'

/**
 * A vendor sells an encrypted solution and an encrypted chat model and runs its owner agent; a
 * provider daemon configured with that agent fetches the key release of each paid order and of
 * each lease its enclave serves, and hands it to its enclave. Real processes: chain, daemon,
 * enclave host and runtime, and a second runtime the provider registers; the agent in-process.
 */
let bed: ProviderTestbed
let agent: OwnerAgent
let run: DaemonRun
let keysDirectory: string
let sealedEcho: PublishedSolution
let sealedChat: PublishedSolution
/** A second enclave of the same provider, which a dishonest front of the provider drives. */
let spare: EnclaveClient
let spareSigner: Address
/** Registered to the daemon's provider with evidence that is nowhere: no policy accepts it. */
let unverifiable: Address
/** Registered to another provider. */
let foreign: Address
const agentEvents: OwnerAgentEvent[] = []

before(async () => {
  bed = await startProviderTestbed()
  keysDirectory = await mkdtemp(join(tmpdir(), 'bocc-owner-keys-'))
  const vendor = bed.dev.signers.modelVendor
  const keys = createContentKeyStore({
    chainId: bed.dev.deployment.chainId,
    market: bed.dev.deployment.contracts.market,
    accountPrivateKey: devPrivateKey(devRoles.modelVendor),
    directory: keysDirectory,
  })
  const echo = createSolutionBundle({ ...echoManifest, name: 'sealed-echo' }, [
    { path: 'main.wasm', bytes: await assembleWat(echoWat) },
  ])
  const publish = (pack: Uint8Array) =>
    publishSolution(vendor, { blobs: bed.blobs, pack, price: parseEther('1'), encrypt: { keys } })
  sealedEcho = await publish(packSolutionBundle(echo))
  sealedChat = await publish(packSolutionBundle(createTinyChatBundle()))
  assert.ok(sealedEcho.encrypted && sealedChat.encrypted)

  // The provider's other enclaves, registered before its daemon sends transactions of its own.
  const provider = bed.dev.signers.provider
  const harness = protocolHarness(bed.dev)
  const fake = await harness.newEnclave(provider)
  await harness.register(provider, fake.registration)
  unverifiable = fake.key.address
  const stranger = await harness.newEnclave(bed.dev.signers.stranger)
  await harness.register(bed.dev.signers.stranger, stranger.registration)
  foreign = stranger.key.address
  spare = await startEnclave({ tee: 'sim' })
  const identity = await spare.request('identity', {})
  await registerEnclave({
    chain: provider,
    enclave: spare,
    identity,
    blobs: bed.blobs,
    committeeUrls: [bed.dev.committee.url],
  })
  spareSigner = identity.signer

  agent = await startOwnerAgent({
    chain: vendor,
    vendor: vendor.account.address,
    blobs: bed.blobs,
    keys,
    policyFor: () => devPolicy(),
    pollIntervalMs: 200,
    onEvent: (event) => agentEvents.push(event),
  })
  run = await bed.startDaemon(
    await bed.writeConfig('provider', {
      ownerAgents: [agent.url],
      leases: { host: '127.0.0.1', port: 0, settleIntervalSeconds: 3_600 },
    }),
  )
})

after(async () => {
  await agent?.stop()
  await spare?.stop()
  await bed?.stop()
  await rm(keysDirectory, { recursive: true, force: true })
})

it('runs an order of an encrypted solution through the daemon with the owner’s key release', async () => {
  const customer = bed.dev.signers.customer
  const text = 'sealed solution, open input'
  const order = await placeOrder(customer, {
    blobs: bed.blobs,
    teeOfferId: run.offerId,
    solutionOfferId: sealedEcho.offerId,
    enclave: await bed.verify(customer, run.enclave),
    solutionHash: sealedEcho.solutionHash,
    solutionBundleHash: sealedEcho.bundleHash,
    inputs: [{ bytes: toBytes(text) }],
  })
  assert.equal(await bed.waitForStatus(order.orderId, ['completed', 'failed']), 'completed')
  assert.ok(
    agentEvents.some(
      (event) => event.event === 'key-released' && event.orderId === formatOrderId(order.orderId),
    ),
    'the owner released the key for this order',
  )
  const { outputs } = await fetchOutputs({
    order: await readOrder(customer, { orderId: order.orderId }),
    blobs: bed.blobs,
    resultKey: order.resultKey,
  })
  // The echo job writes the input back first (then its argv, random bytes and the clock).
  assert.ok(new TextDecoder().decode(outputs.result).startsWith(text))
})

describe('a lease of an encrypted chat model', () => {
  const customer = () => bed.dev.signers.customer
  const hello = { messages: [{ role: 'user', content: 'hello' }], max_tokens: 3 }
  const open = async () =>
    (
      await openLease(customer(), {
        teeOfferId: run.offerId,
        solutionOfferId: sealedChat.offerId,
        durationSeconds: 3_600,
        maxTokens: 1_000n,
      })
    ).leaseId
  /** The lease's customer sends one request through `endpoint`; the events it opened. */
  const chat = async (leaseId: bigint, endpoint: string) => {
    const client = await createLeaseClient({
      chain: customer(),
      customer: customer().account as PrivateKeyAccount,
      blobs: bed.blobs,
      policy: devPolicy(),
      leaseId,
      endpoint,
    })
    const events: LeaseResponseEvent[] = []
    for await (const event of client.send(hello)) events.push(event)
    return events
  }
  const ask = async (leaseId: bigint | string, enclave: string) => {
    const response = await fetch(`${agent.url}lease-key-releases/${leaseId}?enclave=${enclave}`)
    return { status: response.status, body: await response.json() }
  }
  const releasedTo = (leaseId: bigint) =>
    agentEvents.filter(
      (event) => event.event === 'lease-key-released' && event.leaseId === String(leaseId),
    )
  let leaseId: bigint

  it('is served through the daemon’s front once the owner’s agent releases the key', async () => {
    leaseId = await open()
    const first = await chat(leaseId, String(run.leasesUrl))
    assert.equal(first.at(-1)?.type, 'done', JSON.stringify(first.at(-1)))
    const second = await chat(leaseId, String(run.leasesUrl))
    assert.equal(second.at(-1)?.type, 'done')
    // One release to the daemon's enclave serves the lease from then on.
    assert.deepEqual(
      releasedTo(leaseId).map((event) => 'enclave' in event && event.enclave),
      [run.enclave],
    )
  })

  it('gets no release for an enclave outside the lease, another provider’s, or a lease that ended', async () => {
    const outside = privateKeyToAccount(generatePrivateKey()).address
    const refusals: [bigint | string, string, number, RegExp][] = [
      [leaseId, outside, 403, /is not registered/],
      [leaseId, unverifiable, 403, /fails the owner’s policy/],
      [leaseId, foreign, 403, /not the lease provider/],
      [9_999n, run.enclave, 404, /lease 9999 does not exist/],
      ['0x1', run.enclave, 400, /not a lease id/],
    ]
    const ended = await open()
    await closeLease(customer(), { leaseId: ended })
    refusals.push([ended, run.enclave, 410, /was closed/])
    for (const [lease, enclave, status, reason] of refusals) {
      const answer = await ask(lease, enclave)
      assert.equal(answer.status, status, `lease ${lease}, enclave ${enclave}`)
      assert.match(answer.body.error, reason)
      assert.equal(answer.body.release, undefined)
    }
    assert.equal(releasedTo(ended).length, 0)
    // The provider's fetcher says why, in one line.
    await assert.rejects(
      fetchLeaseKeyRelease({
        urls: [agent.url],
        leaseId: ended,
        solutionHash: sealedChat.solutionHash,
        enclave: run.enclave,
      }),
      /no owner agent released the key of lease \d+ to enclave .*answered 410 \(lease \d+ was closed/,
    )
  })

  it('refuses a release replayed to another enclave or for another lease', async () => {
    // A front of the provider's own that hands its second enclave whatever release it likes.
    let handOver: () => Promise<WrappedKey> = async () => {
      throw new Error('no release chosen')
    }
    const front = createLeaseFront({
      enclave: spare,
      loadBundle: () => bed.blobs.get(sealedChat.bundleHash),
      keyReleaseFor: () => handOver(),
    })
    const server: RunningServer = await serveFetch(front, { host: '127.0.0.1', port: 0 })
    try {
      const releaseOf = (lease: bigint, enclave: Address) =>
        fetchLeaseKeyRelease({
          urls: [agent.url],
          leaseId: lease,
          solutionHash: sealedChat.solutionHash,
          enclave,
        })
      // The daemon's enclave's release for this lease, replayed to the second enclave.
      const daemonsRelease = await releaseOf(leaseId, run.enclave)
      handOver = async () => daemonsRelease
      await assert.rejects(chat(leaseId, server.url), /\(400\): .*key release does not open/)
      // A release to the second enclave, for this lease, replayed for another lease.
      const other = await open()
      const thisLeasesRelease = await releaseOf(leaseId, spareSigner)
      handOver = async () => thisLeasesRelease
      await assert.rejects(chat(other, server.url), /\(400\): .*key release does not open/)
      // The release made for that lease and that enclave opens.
      handOver = () => releaseOf(other, spareSigner)
      const served = await chat(other, server.url)
      assert.equal(served.at(-1)?.type, 'done', JSON.stringify(served.at(-1)))
    } finally {
      await server.close()
    }
  })
})
