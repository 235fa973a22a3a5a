import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { parseEther, toBytes } from 'viem'
import { devPrivateKey, devRoles } from '../../src/chain/devAccounts.ts'
import { createContentKeyStore } from '../../src/client/contentKeyStore.ts'
import { fetchOutputs } from '../../src/client/fetchResult.ts'
import { placeOrder } from '../../src/client/placeOrder.ts'
import { publishSolution } from '../../src/client/publishSolution.ts'
import { readOrder } from '../../src/client/readOrder.ts'
import { devPolicy } from '../../src/devnet/startDevNetwork.ts'
import {
  type OwnerAgent,
  type OwnerAgentEvent,
  startOwnerAgent,
} from '../../src/owner/startOwnerAgent.ts'
import { formatOrderId } from '../../src/protocol/orderTerms.ts'
import { createSolutionBundle, packSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { assembleWat, echoWat } from '../support/wasmModules.ts'
import { type ProviderTestbed, startProviderTestbed } from './support/providerTestbed.ts'

/**
 * A vendor sells an encrypted solution and runs its owner agent; a provider daemon configured
 * with that agent fetches the key release of each paid order and hands it to its enclave, and the
 * order completes. Real processes: chain, daemon, enclave host and runtime; the agent in-process.
 */
let bed: ProviderTestbed
let agent: OwnerAgent
let keysDirectory: string
const agentEvents: OwnerAgentEvent[] = []

before(async () => {
  bed = await startProviderTestbed()
  keysDirectory = await mkdtemp(join(tmpdir(), 'bocc-owner-keys-'))
})

after(async () => {
  await agent?.stop()
  await bed?.stop()
  await rm(keysDirectory, { recursive: true, force: true })
})

it('runs an order of an encrypted solution through the daemon with the owner’s key release', async () => {
  const vendor = bed.dev.signers.modelVendor
  const keys = createContentKeyStore({
    chainId: bed.dev.deployment.chainId,
    market: bed.dev.deployment.contracts.market,
    accountPrivateKey: devPrivateKey(devRoles.modelVendor),
    directory: keysDirectory,
  })
  const bundle = createSolutionBundle(
    {
      name: 'sealed-echo',
      version: '1.0.0',
      runner: 'wasm',
      entry: 'main.wasm',
      inputs: [{ name: 'data', maxBytes: 4096 }],
      outputs: [{ name: 'result' }],
      limits: { memoryMiB: 64, timeoutMs: 2_000 },
    },
    [{ path: 'main.wasm', bytes: await assembleWat(echoWat) }],
  )
  const published = await publishSolution(vendor, {
    blobs: bed.blobs,
    pack: packSolutionBundle(bundle),
    price: parseEther('1'),
    encrypt: { keys },
  })
  assert.equal(published.encrypted, true)
  agent = await startOwnerAgent({
    chain: vendor,
    vendor: vendor.account.address,
    blobs: bed.blobs,
    keys,
    policyFor: () => devPolicy(),
    pollIntervalMs: 200,
    onEvent: (event) => agentEvents.push(event),
  })
  const run = await bed.startDaemon(await bed.writeConfig('provider', { ownerAgents: [agent.url] }))

  const customer = bed.dev.signers.customer
  const text = 'sealed solution, open input'
  const order = await placeOrder(customer, {
    blobs: bed.blobs,
    teeOfferId: run.offerId,
    solutionOfferId: published.offerId,
    enclave: await bed.verify(customer, run.enclave),
    solutionHash: published.solutionHash,
    solutionBundleHash: published.bundleHash,
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
