import assert from 'node:assert/strict'
import { createCipheriv } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { concatBytes, type Hex, recoverTypedDataAddress, toBytes } from 'viem'
import { encryptObject } from '../../src/crypto/chunkedAead.ts'
import { jobSeedOf } from '../../src/enclave/runOrder.ts'
import type { EnclaveIdentity } from '../../src/protocol/enclaveInterface.ts'
import { failureReasons } from '../../src/protocol/failureReasons.ts'
import { releaseKey } from '../../src/protocol/keyRelease.ts'
import { failureTypes, marketDomain } from '../../src/protocol/receipt.ts'
import {
  createSolutionBundle,
  packSolutionBundle,
  publishSolutionBundle,
} from '../../src/protocol/solutionBundle.ts'
import { type EnclaveClient, startEnclave } from '../../src/provider/enclaveClient.ts'
import { type BlobStore, createFsBlobStore } from '../../src/storage/blobStore.ts'
import { runTestOrder, testChain } from '../support/enclaveOrders.ts'
import { matMulModel } from '../support/onnxModel.ts'
import { assembleWat, echoWat, growWat, loopWat, trapWat } from '../support/wasmModules.ts'

/** A value for an assertion message (order ids are bigints). */
const show = (value: unknown) =>
  JSON.stringify(value, (_, item) => (typeof item === 'bigint' ? String(item) : item))

const weights = [1, 0, 0, 1, 1, 0, 0, 1]
const tensor = (format: 'json' | 'raw', shape: number[]) =>
  ({ dtype: 'float32', shape, format }) as const
const onnxManifest = (format: 'json' | 'raw', memoryMiB = 1024) => ({
  name: `matmul-${format}`,
  version: '1',
  runner: 'onnx',
  entry: 'model.onnx',
  inputs: [{ name: 'x', maxBytes: 4096, tensor: tensor(format, [1, 4]) }],
  outputs: [{ name: 'y', tensor: tensor(format, [1, 2]) }],
  limits: { memoryMiB, timeoutMs: 20_000 },
})
const wasmManifest = (name: string, limits = { memoryMiB: 16, timeoutMs: 1500 }) => ({
  name,
  version: '1',
  runner: 'wasm',
  entry: 'main.wasm',
  inputs: [{ name: 'data', maxBytes: 64 }],
  outputs: [{ name: 'result' }],
  limits,
  arguments: { maxCount: 4, maxBytes: 64 },
})

/**
 * The runners through the real runtime process, without a chain: ONNX models and WASI modules as
 * published bundles, loaded by hash and kept warm; jobs that loop, exhaust memory or trap end in a
 * signed failure with their reason code while the runtime goes on serving; WASI jobs repeat
 * byte for byte; encrypted solutions run only with their owner's key release for the order.
 */
describe('enclave runners', () => {
  let workDir: string
  let blobs: BlobStore
  let enclave: EnclaveClient
  let identity: EnclaveIdentity
  let echo: { solutionHash: Hex; bundleHash: Hex }
  let nextOrder = 1
  const order = (
    parameters: Omit<
      Parameters<typeof runTestOrder>[0],
      'enclave' | 'identity' | 'blobs' | 'nonce'
    >,
  ) =>
    runTestOrder({
      enclave,
      identity,
      blobs,
      nonce: nextOrder++,
      ...parameters,
    })
  const publishWasm = async (
    name: string,
    wat: string,
    limits?: { memoryMiB: number; timeoutMs: number },
  ) =>
    publishSolutionBundle(
      blobs,
      createSolutionBundle(wasmManifest(name, limits), [
        { path: 'main.wasm', bytes: await assembleWat(wat) },
      ]),
    )
  const data = (text: string) => [{ name: 'data', bytes: toBytes(text) }]

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'bocc-runners-'))
    blobs = createFsBlobStore(join(workDir, 'blobs'))
    enclave = await startEnclave({ tee: 'sim' })
    identity = await enclave.request('identity', {})
    echo = await publishWasm('echo', echoWat)
  })
  after(async () => {
    await enclave?.stop()
    await rm(workDir, { recursive: true, force: true })
  })

  it('says its interface version and runners', () => {
    assert.equal(identity.interfaceVersion, 4)
    assert.deepEqual(identity.runners, ['ocr', 'onnx', 'wasm', 'llm'])
  })

  it('runs an ONNX model with JSON and with raw tensors, loading each model once', async () => {
    const model = matMulModel(weights)
    for (const format of ['json', 'raw'] as const) {
      const solution = await publishSolutionBundle(
        blobs,
        createSolutionBundle(onnxManifest(format), [{ path: 'model.onnx', bytes: model }]),
      )
      const input =
        format === 'json'
          ? toBytes(JSON.stringify({ dims: [1, 4], data: [1, 2, 3, 4] }))
          : new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer)
      for (let run = 0; run < 2; run++) {
        const result = await order({ solution, inputs: [{ name: 'x', bytes: input }] })
        assert.ok('outputs' in result, show(result))
        const y = result.outputs.y as Uint8Array
        if (format === 'json')
          assert.deepEqual(JSON.parse(new TextDecoder().decode(y)), {
            dtype: 'float32',
            dims: [1, 2],
            data: [4, 6],
          })
        else assert.deepEqual([...new Float32Array(y.slice().buffer)], [4, 6])
      }
      assert.deepEqual(
        await enclave.request('loadSolution', { solutionHash: solution.solutionHash }),
        {
          loaded: true,
          runner: 'onnx',
          encrypted: false,
        },
      )
    }
  })

  it('refuses an ONNX input of the wrong shape with reason 2, and one over maxBytes with reason 3', async () => {
    const solution = await publishSolutionBundle(
      blobs,
      createSolutionBundle(onnxManifest('json'), [
        { path: 'model.onnx', bytes: matMulModel(weights) },
      ]),
    )
    const wrongShape = await order({
      solution,
      inputs: [{ name: 'x', bytes: toBytes(JSON.stringify({ dims: [1, 3], data: [1, 2, 3] })) }],
    })
    assert.ok('failure' in wrongShape)
    assert.equal(wrongShape.failure, failureReasons.inputRejected)
    const tooLarge = await order({ solution, inputs: [{ name: 'x', bytes: new Uint8Array(5000) }] })
    assert.ok('failure' in tooLarge)
    assert.equal(tooLarge.failure, failureReasons.inputOverLimits)
    assert.match(tooLarge.message, /at most 4096 bytes/)
  })

  it('runs a WASI module: inputs under /in, argv, outputs under /out, the same bytes on every run', async () => {
    const first = await order({
      solution: echo,
      inputs: data('hello'),
      arguments: ['a', 'bc'],
    })
    assert.ok('outputs' in first, show(first))
    const { orderId } = first
    // The same order again: the same bytes.
    const again = await first.rerun()
    assert.ok('outputs' in again)
    assert.deepEqual(again.outputs.result, first.outputs.result)
    // What any machine computes for this order: AES-256-CTR keystream under the order's seed, and
    // the clock the seed fixes (docs/protocol.md, "WASM jobs").
    const seed = jobSeedOf(orderId)
    const random = createCipheriv('aes-256-ctr', seed, new Uint8Array(16)).update(new Uint8Array(8))
    const clock = new Uint8Array(8)
    const start =
      1_600_000_000n + BigInt(new DataView(seed.buffer, seed.byteOffset).getUint32(0) % 100_000_000)
    new DataView(clock.buffer).setBigUint64(0, start * 1_000_000_000n + 1000n, true)
    assert.deepEqual(
      first.outputs.result,
      concatBytes([
        toBytes('hello'),
        toBytes('main.wasm\0a\0bc\0'),
        random,
        new Uint8Array(8),
        clock,
      ]),
    )
    const otherOrder = await order({
      solution: echo,
      inputs: data('hello'),
      arguments: ['a', 'bc'],
    })
    assert.ok('outputs' in otherOrder)
    assert.notDeepEqual(otherOrder.outputs.result, first.outputs.result)
  })

  it('ends a job that loops, exhausts memory or traps with a signed failure, and keeps serving', async () => {
    const cases = [
      ['loop', loopWat, failureReasons.jobTimedOut],
      ['grow', growWat, failureReasons.jobOutOfMemory],
      ['trap', trapWat, failureReasons.jobCrashed],
    ] as const
    for (const [name, wat, reason] of cases) {
      const solution = await publishWasm(name, wat, { memoryMiB: 16, timeoutMs: 500 })
      const result = await order({ solution, inputs: data('x') })
      assert.ok('failure' in result, name)
      assert.equal(result.failure, reason, `${name}: ${result.message}`)
      // The enclave signs the order id and the code: anyone can check the failure is its own.
      const signer = await recoverTypedDataAddress({
        domain: marketDomain(testChain.chainId, testChain.market),
        types: failureTypes,
        primaryType: 'Failure',
        message: { orderId: result.orderId, reason: result.failure },
        signature: result.signature,
      })
      assert.equal(signer, identity.signer)
    }
    const still = await order({ solution: echo, inputs: data('still here') })
    assert.ok('outputs' in still)
  })

  it('bounds a native job’s memory too: over its limit it fails with reason 8, and the next job runs', async () => {
    const solution = await publishSolutionBundle(
      blobs,
      createSolutionBundle(onnxManifest('json', 16), [
        { path: 'model.onnx', bytes: matMulModel(weights) },
      ]),
    )
    const input = [
      { name: 'x', bytes: toBytes(JSON.stringify({ dims: [1, 4], data: [1, 2, 3, 4] })) },
    ]
    const result = await order({ solution, inputs: input })
    assert.ok('failure' in result)
    assert.equal(result.failure, failureReasons.jobOutOfMemory)
    assert.ok('outputs' in (await order({ solution: echo, inputs: data('after') })))
  })

  it('refuses the wrong inputs, arguments over the limit, and a bundle that is not the order’s solution', async () => {
    const extra = await order({
      solution: echo,
      inputs: [...data('x'), { name: 'more', bytes: toBytes('y') }],
    })
    assert.ok('failure' in extra)
    assert.equal(extra.failure, failureReasons.inputRejected)
    const args = await order({
      solution: echo,
      inputs: data('x'),
      arguments: ['1', '2', '3', '4', '5'],
    })
    assert.ok('failure' in args)
    assert.equal(args.failure, failureReasons.inputOverLimits)
    // The host hands over another bundle under this solution's hash: refused, and reason 5.
    const impostor = createSolutionBundle(wasmManifest('impostor'), [
      { path: 'main.wasm', bytes: await assembleWat(trapWat) },
    ])
    const wanted = createSolutionBundle(wasmManifest('wanted'), [
      { path: 'main.wasm', bytes: await assembleWat(echoWat) },
    ])
    await blobs.put(wanted.descriptor)
    const swapped = await order({
      solution: {
        solutionHash: wanted.solutionHash,
        bundleHash: await blobs.put(packSolutionBundle(impostor)),
      },
      inputs: data('x'),
    })
    assert.ok('failure' in swapped)
    assert.equal(swapped.failure, failureReasons.solutionUnavailable)
  })

  it('runs an encrypted solution only with its owner’s key release for that order', async () => {
    const bundle = createSolutionBundle(wasmManifest('secret-echo'), [
      { path: 'main.wasm', bytes: await assembleWat(echoWat) },
    ])
    const { key, ciphertext } = await encryptObject(packSolutionBundle(bundle))
    const solution = await publishSolutionBundle(blobs, bundle, ciphertext)
    const release = (orderId: bigint) =>
      releaseKey({
        enclaveHpkePublicKey: identity.hpkePublicKey,
        key,
        orderId,
        resourceHash: bundle.solutionHash,
      })
    const without = await order({ solution, inputs: data('x') })
    assert.ok('failure' in without)
    assert.equal(without.failure, failureReasons.vendorKeyNotReleased)
    // A release for another order is useless for this one.
    const elsewhere = await order({
      solution,
      inputs: data('x'),
      solutionKeyRelease: (orderId) => release(orderId + 1n),
    })
    assert.ok('failure' in elsewhere)
    assert.equal(elsewhere.failure, failureReasons.vendorKeyNotReleased)
    for (let i = 0; i < 2; i++) {
      const released = await order({ solution, inputs: data('x'), solutionKeyRelease: release })
      assert.ok('outputs' in released, show(released))
    }
    // Loaded now, but every order still needs its own release.
    const later = await order({ solution, inputs: data('x') })
    assert.ok('failure' in later)
    assert.equal(later.failure, failureReasons.vendorKeyNotReleased)
  })
})
