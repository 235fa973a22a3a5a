import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Hex, sha256, toBytes, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { submitReceipts } from '../../../src/chain/actions/market/submitReceipts.ts'
import { getCommittee } from '../../../src/chain/actions/registry/getCommittee.ts'
import { getEnclave } from '../../../src/chain/actions/registry/getEnclave.ts'
import { isEnclaveUsable } from '../../../src/chain/actions/registry/isEnclaveUsable.ts'
import { auditOrder, HistoricalStateUnavailableError } from '../../../src/client/auditOrder.ts'
import { fetchOutputs } from '../../../src/client/fetchResult.ts'
import { readOrder } from '../../../src/client/readOrder.ts'
import { encryptObject } from '../../../src/crypto/chunkedAead.ts'
import { generateHpkeKeyPair, type WrappedKey } from '../../../src/crypto/hpke.ts'
import { devPolicy } from '../../../src/devnet/startDevNetwork.ts'
import { measureRuntime } from '../../../src/enclave/measureRuntime.ts'
import { signSimEvidence } from '../../../src/enclave/tee/signSimEvidence.ts'
import { BoccError } from '../../../src/errors.ts'
import type { EnclaveRegistration } from '../../../src/protocol/enclaveApproval.ts'
import { failureReasons } from '../../../src/protocol/failureReasons.ts'
import { releaseKey } from '../../../src/protocol/keyRelease.ts'
import { encodeOrderRequest, sealOrderRequest } from '../../../src/protocol/orderRequest.ts'
import { formatOrderId, orderIdOf, orderTotal } from '../../../src/protocol/orderTerms.ts'
import { marketDomain, receiptTypes } from '../../../src/protocol/receipt.ts'
import { encodeReportData } from '../../../src/protocol/reportData.ts'
import {
  createSolutionBundle,
  packSolutionBundle,
  publishSolutionBundle,
} from '../../../src/protocol/solutionBundle.ts'
import { connectEnclaveHost } from '../../../src/provider/enclaveHostClient.ts'
import { requestApprovals } from '../../../src/provider/requestApprovals.ts'
import { runOrderInEnclave } from '../../../src/provider/runOrderInEnclave.ts'
import { runBocc } from '../../support/runBocc.ts'
import { assembleWat, echoManifest, echoWat } from '../../support/wasmModules.ts'
import type { Attack } from '../attack.ts'
import { type DaemonWorld, plaintextMarker, type TrackedOrder } from '../daemonWorld.ts'
import { progress } from '../faults.ts'

type DaemonAttack = Attack<DaemonWorld>

/**
 * The provider daemon never accepted the order (it logged why), and the refund after acceptBy
 * returns exactly the escrow and slashes nobody: the customer gains nothing but gas spent.
 */
async function refusedThenRefundedWithoutSlash(
  world: DaemonWorld,
  order: TrackedOrder,
  reason: RegExp,
): Promise<void> {
  const event = await world.waitForOrderEvent(order, ['order-refused', 'orders-accepted'])
  assert.equal(event.event, 'order-refused', 'the daemon must not accept an order it cannot serve')
  assert.match((event as { reason: string }).reason, reason)
  await world.waitForChainTime(order.terms.acceptBy)
  const refund = await world.refund(order)
  assert.equal(refund.slashed, 0n, 'nobody is slashed')
  assert.equal(refund.amount, orderTotal(order.terms), 'the customer gets the escrow back, no more')
}

/** The order ends with the enclave's signed failure `code`: refunded in full, nobody slashed. */
async function endsInSignedFailure(
  world: DaemonWorld,
  order: TrackedOrder,
  code: number,
): Promise<void> {
  const event = await world.waitForOrderEvent(order, [
    'failure-submitted',
    'order-refused',
    'order-handed-back',
    'receipts-accepted',
  ])
  assert.equal(
    event.event,
    'failure-submitted',
    `expected the enclave's signed failure, got ${event.event}`,
  )
  assert.equal((event as { code: number }).code, code)
  assert.equal(await world.status(order), 'failed')
}

/** A low-order point of Curve25519 (order 8): a result key nothing can be sealed to safely. */
const lowOrderPoint = '0xe0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800' as Hex

/** Every attack whose order waits out its acceptBy; they run side by side. */
export const waitingAttacks: DaemonAttack[] = [
  {
    id: 'A-30',
    actor: 'customer',
    title: 'order with a request, input or solution bundle that is not in the blob store',
    async run(world) {
      const missingBundle = { ...world.solutions.echo, bundleHash: sha256(toBytes('no bundle')) }
      const orders = await Promise.all([
        world.craft('customer', 'provider', { omit: ['request'] }),
        world.craft('customer', 'provider', { omit: ['input'] }),
        world.craft('customer', 'provider', { solution: missingBundle }),
      ])
      await Promise.all([
        refusedThenRefundedWithoutSlash(
          world,
          orders[0] as TrackedOrder,
          /request is not in the blob store/,
        ),
        refusedThenRefundedWithoutSlash(
          world,
          orders[1] as TrackedOrder,
          /input data is not in the blob store/,
        ),
        refusedThenRefundedWithoutSlash(
          world,
          orders[2] as TrackedOrder,
          /bundle is not in the blob store/,
        ),
      ])
    },
  },
  {
    id: 'A-31',
    actor: 'customer',
    title: 'order with a request that does not match the order (enclave, key, solution, input)',
    async run(world) {
      const other = await world.verifiedEnclave('modelVendor', 'stranger')
      const orders = await Promise.all([
        world.craft('modelVendor', 'provider', {
          change: (request) => ({ ...request, enclaveSigner: other.enclave }),
        }),
        world.craft('modelVendor', 'provider', {
          change: (request) => ({ ...request, enclaveHpkePublicKey: other.hpkePublicKey }),
        }),
        world.craft('modelVendor', 'provider', {
          change: (request) => ({ ...request, solutionHash: world.solutions.loop.solutionHash }),
        }),
        world.craft('modelVendor', 'provider', {
          change: async (request) => ({
            ...request,
            inputs: [
              { name: 'data', inputHash: await world.bed.blobs.put(toBytes('another input')) },
            ],
          }),
        }),
      ])
      const reasons = [/another enclave$/, /another enclave key/, /another solution/, /first input/]
      await Promise.all(
        orders.map((order, i) =>
          refusedThenRefundedWithoutSlash(world, order, reasons[i] as RegExp),
        ),
      )
    },
  },
  {
    id: 'A-32',
    actor: 'customer',
    title: 'order with a result key the enclave cannot seal to (low-order or zero X25519 point)',
    async run(world) {
      const orders = await Promise.all(
        [lowOrderPoint, toHex(new Uint8Array(32))].map((resultPublicKey) =>
          world.craft('dataVendor', 'provider', {
            change: (request) => ({ ...request, resultPublicKey }),
          }),
        ),
      )
      await Promise.all(
        orders.map((order) =>
          refusedThenRefundedWithoutSlash(
            world,
            order,
            /result key is not a key the enclave can seal to/,
          ),
        ),
      )
    },
  },
  {
    id: 'A-33',
    actor: 'customer',
    title: 'order with a malformed request blob',
    async run(world) {
      const orders = await Promise.all(
        [toBytes('not json'), toBytes('{"version":2}'), new Uint8Array(0)].map((rawRequest) =>
          world.craft('deployer', 'stranger', { rawRequest }),
        ),
      )
      await Promise.all(
        orders.map((order) => refusedThenRefundedWithoutSlash(world, order, /malformed/)),
      )
    },
  },
]

/** Attacks whose orders the daemons accept and the enclave ends with a signed failure. */
export const failureAttacks: DaemonAttack[] = [
  {
    id: 'A-34',
    actor: 'customer',
    title: 'have the provider accept an input that is no ciphertext, then collect the slash',
    async run(world) {
      const order = await world.craft('customer', 'stranger', {
        rawInput: toBytes(`${plaintextMarker.toLowerCase()} garbage, not chunked AEAD`),
        acceptWithinSeconds: 60,
      })
      await endsInSignedFailure(world, order, failureReasons.inputUndecryptable)
    },
  },
  {
    id: 'A-35',
    actor: 'host',
    title: 'redirect a customer’s result to a key of its own by swapping the request’s result key',
    async run(world) {
      const own = await generateHpkeKeyPair()
      const order = await world.craft('modelVendor', 'stranger', {
        change: (request) => ({ ...request, resultPublicKey: own.publicKey }),
        acceptWithinSeconds: 60,
      })
      // The secrets are bound to the result key: they no longer open, nothing is sealed to `own`.
      await endsInSignedFailure(world, order, failureReasons.inputUndecryptable)
    },
  },
  {
    id: 'A-36',
    actor: 'customer',
    title: 'bypass the client’s limit check with an input over the solution’s limits',
    async run(world) {
      const order = await world.craft('dataVendor', 'stranger', {
        input: new Uint8Array(6_000).fill(0x41),
        acceptWithinSeconds: 60,
      })
      await endsInSignedFailure(world, order, failureReasons.inputOverLimits)
    },
  },
  {
    id: 'A-37',
    actor: 'vendor',
    title: 'sell a solution that loops, traps or exhausts memory, to crash or stall the runtime',
    async run(world) {
      const { loop, trap, grow } = world.solutions
      const cases = [
        [loop, failureReasons.jobTimedOut],
        [trap, failureReasons.jobCrashed],
        [grow, failureReasons.jobOutOfMemory],
      ] as const
      for (const [solution, code] of cases)
        await endsInSignedFailure(
          world,
          await world.craft('deployer', 'stranger', { solution, acceptWithinSeconds: 60 }),
          code,
        )
      // The runtime survived all three: the same enclave serves an honest order.
      const enclave = world.enclaveOf('stranger')
      const honest = await world.order('deployer', 'stranger')
      await world.waitForOrderEvent(honest, ['receipts-accepted'])
      assert.equal(world.enclaveOf('stranger'), enclave, 'the enclave runtime did not restart')
    },
  },
  {
    id: 'A-38',
    actor: 'vendor',
    title: 'serve a bundle that is not the solution the order names',
    async run(world) {
      const order = await world.craft('customer', 'provider', {
        // The descriptor of a solution this enclave never loaded, with another solution's pack.
        solution: {
          solutionHash: world.solutions.unloaded.solutionHash,
          bundleHash: world.solutions.trap.bundleHash,
        },
        acceptWithinSeconds: 60,
      })
      await endsInSignedFailure(world, order, failureReasons.solutionUnavailable)
    },
  },
  {
    id: 'A-39',
    actor: 'vendor',
    title: 'withhold the key of an encrypted solution after the order is paid',
    async run(world) {
      const order = await world.craft('modelVendor', 'provider', {
        solution: world.solutions.encrypted,
        acceptWithinSeconds: 60,
      })
      await endsInSignedFailure(world, order, failureReasons.vendorKeyNotReleased)
    },
  },
  {
    id: 'A-40',
    actor: 'customer',
    title: 'name inputs the solution does not declare',
    async run(world) {
      const order = await world.craft('dataVendor', 'provider', {
        change: (request) => ({
          ...request,
          inputs: request.inputs.map((input) => ({ ...input, name: 'undeclared' })),
        }),
        acceptWithinSeconds: 60,
      })
      await endsInSignedFailure(world, order, failureReasons.inputRejected)
    },
  },
]

/** Attacks of the host, committee-facing attacks and the auditor's checks; one after the other. */
export const hostAttacks: DaemonAttack[] = [
  {
    id: 'A-41',
    actor: 'host',
    title: 'tamper with a stored output blob so the customer decrypts something else',
    async run(world) {
      const order = await world.order('customer', 'provider')
      await world.waitForOrderEvent(order, ['receipts-accepted'])
      const record = await readOrder(world.signers.customer, { orderId: order.orderId })
      const outputHash = record.completion?.outputHash as Hex
      const file = join(world.bed.directory, 'blobs', outputHash.slice(2).toLowerCase())
      const original = await readFile(file)
      const tampered = new Uint8Array(original)
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1
      await writeFile(file, tampered)
      try {
        await assert.rejects(
          fetchOutputs({ order: record, blobs: world.bed.blobs, resultKey: order.resultKey }),
          // The store's hash check, a one-line error, before anything is decrypted.
          (error: unknown) => error instanceof BoccError,
        )
      } finally {
        await writeFile(file, original)
      }
      const fetched = await fetchOutputs({
        order: record,
        blobs: world.bed.blobs,
        resultKey: order.resultKey,
      })
      assert.ok(new TextDecoder().decode(fetched.outputs.result).includes(plaintextMarker))
    },
  },
  {
    id: 'A-42',
    actor: 'host',
    title: 'replay an order to its enclave to be paid twice, or under terms of its own',
    async run(world) {
      const order = await world.order('modelVendor', 'provider')
      await world.waitForOrderEvent(order, ['receipts-accepted'])
      const enclave = await connectedEnclave(world, 'provider', order.terms.enclave)
      try {
        const chainId = world.bed.dev.deployment.chainId
        const market = world.bed.dev.deployment.contracts.market
        const replay = await runOrderInEnclave({
          enclave,
          chainId,
          market,
          terms: order.terms,
          blobs: world.bed.blobs,
        })
        assert.ok('signature' in replay && 'outputHash' in replay, 'the enclave runs a replay')
        const outcome = await submitReceipts(world.signers.provider, {
          receipts: [
            {
              terms: order.terms,
              outputHash: replay.outputHash,
              wrappedResultKey: replay.wrappedResultKey,
              signature: replay.signature,
            },
          ],
        })
        assert.deepEqual(outcome.done, [], 'a second receipt pays nothing')
        assert.equal(outcome.skipped[0]?.errorName, 'WrongOrderStatus')
        // The host's own terms around the customer's request: another order id, on no order.
        const own = { ...order.terms, customer: world.signers.provider.account.address }
        const mine = await runOrderInEnclave({
          enclave,
          chainId,
          market,
          terms: own,
          blobs: world.bed.blobs,
        })
        assert.ok('outputHash' in mine)
        const paid = await submitReceipts(world.signers.provider, {
          receipts: [
            {
              terms: own,
              outputHash: mine.outputHash,
              wrappedResultKey: mine.wrappedResultKey,
              signature: mine.signature,
            },
          ],
        })
        assert.deepEqual(paid.done, [])
        assert.equal(paid.skipped[0]?.errorName, 'OrderNotFound')
      } finally {
        enclave.disconnect()
      }
    },
  },
  {
    id: 'A-50',
    actor: 'host',
    title: 'run a vendor’s encrypted solution unpaid, on a key release made for another order',
    async run(world) {
      // A vendor's encrypted solution; the attack holds its key only to release it as the
      // honest owner agent does, for one paid order.
      const bundle = createSolutionBundle({ ...echoManifest, name: 'sealed-echo-released' }, [
        { path: 'main.wasm', bytes: await assembleWat(echoWat) },
      ])
      const sealed = await encryptObject(packSolutionBundle(bundle))
      const solution = await publishSolutionBundle(world.bed.blobs, bundle, sealed.ciphertext)
      const order = await world.order('customer', 'provider')
      await world.waitForOrderEvent(order, ['receipts-accepted'])
      const verified = await world.verifiedEnclave('customer', 'provider')
      const enclave = await connectedEnclave(world, 'provider', order.terms.enclave)
      const { blobs } = world.bed
      // Terms for this solution around a request and input of the host's making.
      const termsFor = async (customer: Hex) => {
        const input = await encryptObject(toBytes(`${plaintextMarker} sealed solution`))
        const inputHash = await blobs.put(input.ciphertext)
        const request = await sealOrderRequest({
          enclaveSigner: verified.enclave,
          enclaveHpkePublicKey: verified.hpkePublicKey,
          solutionHash: solution.solutionHash,
          solutionBundleHash: solution.bundleHash,
          inputs: [{ name: 'data', inputHash, dataKey: input.key }],
          resultPublicKey: (await generateHpkeKeyPair()).publicKey,
        })
        const requestHash = await blobs.put(encodeOrderRequest(request))
        return {
          ...order.terms,
          customer,
          solutionHash: solution.solutionHash,
          requestHash,
          inputHash,
        }
      }
      const paid = await termsFor(world.signers.customer.account.address)
      const unpaid = await termsFor(world.signers.provider.account.address)
      const release = await releaseKey({
        enclaveHpkePublicKey: verified.hpkePublicKey,
        key: sealed.key,
        orderId: orderIdOf(paid),
        resourceHash: solution.solutionHash,
      })
      const run = (terms: typeof paid, solutionKeyRelease?: WrappedKey) =>
        runOrderInEnclave({
          enclave,
          chainId: world.bed.dev.deployment.chainId,
          market: world.bed.dev.deployment.contracts.market,
          terms,
          blobs,
          ...(solutionKeyRelease ? { solutionKeyRelease } : {}),
        })
      try {
        const ran = await run(paid, release)
        assert.ok('outputHash' in ran, 'the release opens for the order it was made for')
        // The same release on another order, a release for another resource, and none at all
        // once the enclave holds the solution decrypted: each ends in the signed failure 4.
        const otherResource = await releaseKey({
          enclaveHpkePublicKey: verified.hpkePublicKey,
          key: sealed.key,
          orderId: orderIdOf(unpaid),
          resourceHash: world.solutions.echo.solutionHash,
        })
        for (const attempt of [release, otherResource, undefined]) {
          const outcome = await run(unpaid, attempt)
          assert.ok('failure' in outcome, 'the enclave does not run the unpaid order')
          assert.equal(outcome.failure, failureReasons.vendorKeyNotReleased)
        }
      } finally {
        sealed.key.fill(0)
        enclave.disconnect()
      }
    },
  },
  {
    id: 'A-43',
    actor: 'host',
    title: 'swap in another enclave’s key: have another enclave run or sign for the order',
    async run(world) {
      // The honest receipt is held back until the forged one was refused: the market judges the
      // forged signature on an order that is still accepted, not one the receipt already settled.
      const order = await world.withStatementsHeldBack('provider', async () => {
        const order = await world.order('dataVendor', 'provider')
        await world.waitForOrderEvent(order, ['orders-accepted'])
        assert.equal(await world.status(order), 'accepted')
        const other = await connectedEnclave(world, 'stranger', world.enclaveOf('stranger'))
        try {
          await assert.rejects(
            runOrderInEnclave({
              enclave: other,
              chainId: world.bed.dev.deployment.chainId,
              market: world.bed.dev.deployment.contracts.market,
              terms: order.terms,
              blobs: world.bed.blobs,
            }),
            /another enclave/,
          )
        } finally {
          other.disconnect()
        }
        // A receipt by any key but the order's enclave pays nothing.
        const impostor = privateKeyToAccount(generatePrivateKey())
        const outputHash = sha256(toBytes('forged output'))
        const signature = await impostor.signTypedData({
          domain: marketDomain(
            world.bed.dev.deployment.chainId,
            world.bed.dev.deployment.contracts.market,
          ),
          types: receiptTypes,
          primaryType: 'Receipt',
          message: { orderId: order.orderId, outputHash, wrappedResultKey: '0x' },
        })
        const outcome = await submitReceipts(world.signers.provider, {
          receipts: [{ terms: order.terms, outputHash, wrappedResultKey: '0x', signature }],
        })
        assert.deepEqual(outcome.done, [], 'the forged receipt pays nothing')
        assert.equal(outcome.skipped[0]?.errorName, 'InvalidEnclaveSignature')
        assert.equal(await world.status(order), 'accepted', 'the order waits for its enclave')
        return order
      })
      await world.waitForOrderEvent(order, ['receipts-accepted'])
    },
  },
  {
    id: 'A-44',
    actor: 'host',
    title: 'read plaintext from what crosses to the host: blobs, daemon state, daemon logs',
    async run(world) {
      assert.ok(world.orders.length > 0)
      const marker = toBytes(plaintextMarker)
      const directories = [
        join(world.bed.directory, 'blobs'),
        join(world.bed.directory, 'provider-state'),
        join(world.bed.directory, 'stranger-state'),
      ]
      let files = 0
      for (const directory of directories)
        for (const name of await readdir(directory, { recursive: true })) {
          const bytes = await readFile(join(directory, name)).catch(() => undefined)
          if (!bytes) continue
          files++
          assert.equal(Buffer.from(bytes).indexOf(marker), -1, `${name} holds plaintext`)
        }
      assert.ok(files > 10, 'the scan read the host’s files')
      for (const role of ['provider', 'stranger'] as const)
        for (const event of world.eventsOf(role))
          assert.ok(!JSON.stringify(event).includes(plaintextMarker), 'a daemon logged plaintext')
    },
  },
  {
    id: 'A-45',
    actor: 'anyone',
    title: 'squat a provider’s enclave: have its evidence approved under another account',
    async run(world) {
      const chain = world.signers.deployer
      const enclave = world.enclaveOf('provider')
      const record = await getEnclave(chain, { enclave })
      assert.ok(record)
      const evidence = await world.bed.blobs.get(record.evidenceHash)
      const registration: EnclaveRegistration = {
        enclave,
        provider: world.signers.stranger.account.address,
        hardware: record.hardware,
        expiresAt: record.expiresAt,
        measurement: record.measurement,
        hpkePublicKey: record.hpkePublicKey,
        evidenceHash: record.evidenceHash,
        collateralHash: record.collateralHash,
        gpuEvidenceHash: record.gpuEvidenceHash,
      }
      await assert.rejects(
        askCommittee(world, registration, evidence),
        /provider|report_data|binding/i,
      )
    },
  },
  {
    id: 'A-46',
    actor: 'host',
    title: 'register with evidence whose freshness is no block of this chain',
    async run(world) {
      const random = toHex(crypto.getRandomValues(new Uint8Array(32)))
      const notABlock = await candidate(world, { freshness: random })
      await assert.rejects(
        askCommittee(world, notABlock.registration, notABlock.evidence),
        /fresh|block/i,
      )
    },
  },
  {
    id: 'A-47',
    actor: 'host',
    title: 'register an enclave that runs unlisted code, in debug mode, or with swapped keys',
    async run(world) {
      const cases = [
        await candidate(world, { evidenceMeasurement: sha256(toBytes('a patched runtime')) }),
        await candidate(world, { debug: true }),
        await candidate(world, { swapHpkeKey: true }),
      ]
      for (const { registration, evidence } of cases)
        await assert.rejects(askCommittee(world, registration, evidence))
    },
  },
  {
    id: 'A-48',
    actor: 'anyone',
    title: 'pass forged sim evidence off as verified to `bocc attestation verify` without a policy',
    async run(world) {
      const { evidence } = await candidate(world)
      const file = join(world.bed.directory, 'forged-evidence.bin')
      await writeFile(file, evidence)
      const result = await runBocc(['attestation', 'verify', file])
      assert.equal(result.code, 1, result.stdout + result.stderr)
      assert.match(result.stdout, /NOT OK/)
    },
  },
]

/** Connects to the role's enclave host whose runtime has the address `enclave`. */
async function connectedEnclave(world: DaemonWorld, role: 'provider' | 'stranger', enclave: Hex) {
  for (const socket of await world.enclaveSockets(role)) {
    const connection = await connectEnclaveHost(socket).catch(() => undefined)
    if (!connection) continue
    const identity = await connection.request('identity', {})
    if (identity.signer.toLowerCase() === enclave.toLowerCase()) return connection
    connection.disconnect()
  }
  throw new Error(`no enclave host of ${role} runs ${enclave}`)
}

/** Asks the real committee service to approve, as `requestApprovals` does for every provider. */
async function askCommittee(
  world: DaemonWorld,
  registration: EnclaveRegistration,
  evidence: Uint8Array,
) {
  const chain = world.signers.deployer
  const committee = await getCommittee(chain)
  return requestApprovals({
    committeeUrls: [world.bed.dev.committee.url],
    registration,
    evidence,
    threshold: 1,
    committeeEpoch: committee.epoch,
  })
}

/** A registration of a fresh enclave of the provider and sim evidence for it, with `change`. */
async function candidate(
  world: DaemonWorld,
  change: {
    evidenceMeasurement?: Hex
    freshness?: Hex
    debug?: boolean
    issuedAt?: Date
    swapHpkeKey?: boolean
  } = {},
) {
  const chain = world.signers.deployer
  const enclave = privateKeyToAccount(generatePrivateKey())
  const { publicKey } = await generateHpkeKeyPair()
  const other = await generateHpkeKeyPair()
  const block = await chain.publicClient.getBlock()
  const provider = world.signers.provider.account.address
  const evidence = await signSimEvidence({
    measurement: change.evidenceMeasurement ?? measureRuntime(),
    reportData: encodeReportData(
      {
        chainId: world.bed.dev.deployment.chainId,
        registry: world.bed.dev.deployment.contracts.registry,
        provider,
        signer: enclave.address,
        hpkePublicKey: publicKey,
      },
      change.freshness ?? (block.hash as Hex),
    ),
    debug: change.debug ?? false,
    issuedAt: change.issuedAt ?? new Date(Number(block.timestamp) * 1000),
  })
  const registration: EnclaveRegistration = {
    enclave: enclave.address,
    provider,
    hardware: 0,
    expiresAt: Number(block.timestamp) + 86_400,
    measurement: measureRuntime(),
    hpkePublicKey: change.swapHpkeKey ? other.publicKey : publicKey,
    evidenceHash: sha256(evidence),
    collateralHash: `0x${'00'.repeat(32)}`,
    gpuEvidenceHash: `0x${'00'.repeat(32)}`,
  }
  return { registration, evidence }
}

/** Attacks that move the chain's clock: run last, once every order has ended. */
export const lateAttacks: DaemonAttack[] = [
  {
    id: 'A-49',
    actor: 'anyone',
    title: 'discredit an honest old order: judge it by today’s state once its enclave expired',
    async run(world) {
      const chain = world.signers.deployer
      // The newest completed order: a node keeps the state of recent blocks only (anvil the last
      // few thousand; none from before its own restart), and an older one needs an archive RPC.
      const completed: TrackedOrder[] = []
      for (const order of [...world.orders].reverse())
        if ((await world.status(order)) === 'completed') completed.push(order)
      const newest = completed[0]
      assert.ok(newest, 'a completed order to audit')
      const record = await getEnclave(chain, { enclave: newest.terms.enclave })
      assert.ok(record)
      const now = Number((await chain.publicClient.getBlock()).timestamp)
      await world.bed.dev.increaseTime(Math.max(0, record.expiresAt - now) + 60)
      assert.equal(
        await isEnclaveUsable(chain, { enclave: newest.terms.enclave }),
        false,
        'the enclave has expired by now',
      )
      const audit = await auditOrder(chain, {
        orderId: newest.orderId,
        blobs: world.bed.blobs,
        policy: devPolicy(),
      })
      assert.ok(audit.ok, JSON.stringify(audit.checks.filter((check) => check.status === 'failed')))
      const verify = (order: TrackedOrder) =>
        runBocc([
          'verify',
          'order',
          formatOrderId(order.orderId),
          '--deployment',
          world.bed.deploymentFile,
        ])
      const cli = await verify(newest)
      assert.equal(cli.code, 0, cli.stdout + cli.stderr)
      assert.equal(cli.stdout.trim().split('\n').pop(), 'verified')

      // An order from before the node's last restart: the node cannot say how the chain stood
      // then. The audit says so in one line (an archive RPC is needed), never "NOT verified".
      const oldest = completed.at(-1)
      if (!oldest || world.lastRestartBlock === undefined) return
      const { blocks } = await readOrder(chain, { orderId: oldest.orderId })
      if ((blocks.accepted ?? blocks.created) >= world.lastRestartBlock) return
      const beforeRestart = oldest
      await assert.rejects(
        auditOrder(chain, {
          orderId: beforeRestart.orderId,
          blobs: world.bed.blobs,
          policy: devPolicy(),
        }),
        HistoricalStateUnavailableError,
      )
      const old = await verify(beforeRestart)
      assert.equal(old.code, 1, old.stdout + old.stderr)
      assert.match(
        old.stderr,
        /^bocc: the RPC node no longer has the chain's state at block \d+, where the order ran: auditing it needs an archive RPC/,
      )
      assert.equal(old.stderr.trim().split('\n').length, 1, old.stderr)
      progress(
        `A-49: order ${formatOrderId(beforeRestart.orderId)} from before the restart: ${old.stderr.trim()}`,
      )
    },
  },
]
