import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Hex, parseEther, toBytes } from 'viem'
import { acceptOrders } from '../../src/chain/actions/market/acceptOrders.ts'
import { createTeeOffer } from '../../src/chain/actions/market/createTeeOffer.ts'
import { submitReceipts } from '../../src/chain/actions/market/submitReceipts.ts'
import { getTokenBalance } from '../../src/chain/actions/token/getTokenBalance.ts'
import { fetchOutputs } from '../../src/client/fetchResult.ts'
import { placeOrder } from '../../src/client/placeOrder.ts'
import { readOrder, waitForOrderCompletion } from '../../src/client/readOrder.ts'
import { type VerifiedEnclave, verifyEnclave } from '../../src/client/verifyEnclave.ts'
import { encryptObject } from '../../src/crypto/chunkedAead.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import { isScratchOfProcess } from '../../src/enclave/runners/wasm/wasmRunner.ts'
import { releaseKey } from '../../src/protocol/keyRelease.ts'
import {
  createSolutionBundle,
  packSolutionBundle,
  publishSolutionBundle,
} from '../../src/protocol/solutionBundle.ts'
import { startEnclave } from '../../src/provider/enclaveClient.ts'
import { ensureStake } from '../../src/provider/ensureStake.ts'
import type { ProviderEvent } from '../../src/provider/providerEvents.ts'
import { registerEnclave } from '../../src/provider/registerEnclave.ts'
import { runOrderInEnclave } from '../../src/provider/runOrderInEnclave.ts'
import { paddleOcrSolution } from '../../src/solutions/paddleocr/paddleOcrSolution.ts'
import { type BlobStore, createFsBlobStore } from '../../src/storage/blobStore.ts'
import {
  type DaemonRun,
  type ProviderTestbed,
  startProviderTestbed,
} from '../provider/support/providerTestbed.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { matMulModel } from '../support/onnxModel.ts'
import { assembleWat, echoWat, loopWat } from '../support/wasmModules.ts'

/** A value for an assertion message (order ids are bigints). */
const show = (value: unknown) =>
  JSON.stringify(value, (_, item) => (typeof item === 'bigint' ? String(item) : item))

const policy = { allowSim: true, allowedMeasurements: [measureRuntime()] }
const wasmManifest = {
  name: 'echo',
  version: '1',
  runner: 'wasm',
  entry: 'main.wasm',
  inputs: [{ name: 'data', maxBytes: 4096 }],
  outputs: [{ name: 'result' }],
  limits: { memoryMiB: 16, timeoutMs: 5000 },
  arguments: { maxCount: 4, maxBytes: 256 },
}

/**
 * Orders beyond OCR, end to end through the provider node and the chain: an ONNX model and a WASI
 * module, each published as a bundle; the receipt is checked on-chain and the customer decrypts
 * the outputs. Inputs over a solution's limits are refused before anything is escrowed.
 */
describe('ONNX and WASI orders through the provider and the chain', () => {
  let bed: ProviderTestbed
  let dev: LocalProtocol
  let blobs: BlobStore
  let node: DaemonRun
  let enclave: VerifiedEnclave
  let events: ProviderEvent[]

  before(async () => {
    bed = await startProviderTestbed()
    dev = bed.dev
    blobs = bed.blobs
    node = await bed.startDaemon(
      await bed.writeConfig('provider', {
        offer: { price: parseEther('1').toString(), capacity: 2 },
      }),
    )
    events = node.events
    enclave = await verifyEnclave(dev.signers.customer, {
      enclave: node.enclave,
      blobs,
      policy,
    })
    assert.ok(enclave.ok)
  })
  after(() => bed?.stop())

  it('a policy that requires a registered platform refuses an enclave that registered none (committee path)', async () => {
    const strict = await verifyEnclave(dev.signers.customer, {
      enclave: node.enclave,
      blobs,
      policy: { ...policy, requireRegisteredPlatform: true },
    })
    assert.equal(strict.ok, false)
    assert.deepEqual(
      strict.checks.filter((check) => check.status === 'failed').map((check) => check.name),
      ['platform registered to the provider'],
    )
  })

  const orderAndFetch = async (
    solution: { solutionHash: Hex; bundleHash: Hex },
    inputs: { name?: string; bytes: Uint8Array }[],
    args?: string[],
  ) => {
    const placed = await placeOrder(dev.signers.customer, {
      blobs,
      teeOfferId: node.offerId,
      solutionOfferId: 0,
      enclave,
      solutionHash: solution.solutionHash,
      solutionBundleHash: solution.bundleHash,
      inputs,
      ...(args ? { arguments: args } : {}),
    })
    const completed = await waitForOrderCompletion(dev.signers.customer, {
      orderId: placed.orderId,
      timeoutMs: 60_000,
    })
    assert.equal(completed.status, 'completed')
    return fetchOutputs({ order: completed, blobs, resultKey: placed.resultKey })
  }

  it('an ONNX model order', async () => {
    const tensor = { dtype: 'float32', format: 'json' } as const
    const solution = await publishSolutionBundle(
      blobs,
      createSolutionBundle(
        {
          name: 'matmul',
          version: '1',
          runner: 'onnx',
          entry: 'model.onnx',
          inputs: [{ name: 'x', maxBytes: 4096, tensor: { ...tensor, shape: [1, 4] } }],
          outputs: [{ name: 'y', tensor: { ...tensor, shape: [1, 2] } }],
          limits: { memoryMiB: 1024, timeoutMs: 20_000 },
        },
        [{ path: 'model.onnx', bytes: matMulModel([1, 0, 0, 1, 1, 0, 0, 1]) }],
      ),
    )
    const { outputs } = await orderAndFetch(solution, [
      { bytes: toBytes(JSON.stringify({ dims: [1, 4], data: [1, 2, 3, 4] })) },
    ])
    assert.deepEqual(JSON.parse(new TextDecoder().decode(outputs.y)).data, [4, 6])
  })

  it('a WASI module order with named inputs and arguments', async () => {
    const solution = await publishSolutionBundle(
      blobs,
      createSolutionBundle(wasmManifest, [
        { path: 'main.wasm', bytes: await assembleWat(echoWat) },
      ]),
    )
    const { outputs } = await orderAndFetch(
      solution,
      [{ name: 'data', bytes: toBytes('confidential numbers') }],
      ['--sum'],
    )
    const text = new TextDecoder().decode(outputs.result)
    assert.ok(text.startsWith('confidential numbersmain.wasm\0--sum\0'), text)
  })

  it('a job that loops ends in the enclave’s signed failure on-chain: the customer is refunded', async () => {
    const solution = await publishSolutionBundle(
      blobs,
      createSolutionBundle(
        { ...wasmManifest, name: 'forever', limits: { memoryMiB: 16, timeoutMs: 300 } },
        [{ path: 'main.wasm', bytes: await assembleWat(loopWat) }],
      ),
    )
    const placed = await placeOrder(dev.signers.customer, {
      blobs,
      teeOfferId: node.offerId,
      solutionOfferId: 0,
      enclave,
      solutionHash: solution.solutionHash,
      solutionBundleHash: solution.bundleHash,
      inputs: [{ bytes: toBytes('x') }],
    })
    await assert.rejects(
      waitForOrderCompletion(dev.signers.customer, {
        orderId: placed.orderId,
        timeoutMs: 60_000,
      }),
      /failed in the enclave: .*the escrow went back to the customer/,
    )
    const failed = await readOrder(dev.signers.customer, { orderId: placed.orderId })
    assert.equal(failed.status, 'failed')
    const reported = events.find((event) => event.event === 'failure-submitted')
    assert.ok(reported && 'code' in reported)
    assert.equal(reported.code, 7)
    assert.match(
      reported.reason,
      /the job exceeded its time limit \(the job ran past its limit of 300 ms\)/,
    )
  })

  it('refuses inputs over the declared limits before escrow, naming the limit', async () => {
    const ocr = await publishSolutionBundle(blobs, paddleOcrSolution())
    // A PNG whose header says 12000×12000: never decoded, refused from the header.
    const header = new Uint8Array(64)
    header.set([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ])
    new DataView(header.buffer).setUint32(16, 12_000)
    new DataView(header.buffer).setUint32(20, 12_000)
    const balance = async () =>
      (
        await getTokenBalance(dev.signers.deployer, {
          account: dev.signers.customer.account.address,
        })
      ).wallet
    const before = await balance()
    const attempt = (bytes: Uint8Array) =>
      placeOrder(dev.signers.customer, {
        blobs,
        teeOfferId: node.offerId,
        solutionOfferId: 0,
        enclave,
        solutionHash: ocr.solutionHash,
        solutionBundleHash: ocr.bundleHash,
        inputs: [{ bytes }],
      })
    await assert.rejects(
      attempt(header),
      /^InputRefusedError: image is 12000×12000 pixels, the solution accepts at most 4096×4096$/m,
    )
    const huge = new Uint8Array(300 << 20)
    huge.set(header)
    await assert.rejects(
      attempt(huge),
      /input "image" is 314572800 bytes, the solution accepts at most 20971520/,
    )
    assert.equal(await balance(), before, 'nothing was escrowed')
  })
})

/**
 * A canary secret goes through a full job — in the input, in the (encrypted) solution bundle, in
 * the arguments, and so in the output — and is found in none of the files the host side wrote,
 * none of the runtime's log lines and none of the messages that crossed the interface.
 */
describe('canary secret through a full job', () => {
  it('leaves no trace outside the enclave runtime', async () => {
    const canary = `CANARY-${crypto.randomUUID()}`
    const dev = await startLocalProtocol()
    const workDir = await mkdtemp(join(tmpdir(), 'bocc-canary-'))
    const blobs = createFsBlobStore(join(workDir, 'blobs'))
    const runtime = await startEnclave({ tee: 'sim' })
    const logLines: string[] = []
    runtime.process.stderr?.on('data', (data: Buffer) => logLines.push(data.toString()))
    const crossings: string[] = []
    runtime.process.stdout?.on('data', (data: Buffer) => crossings.push(data.toString()))
    const write = runtime.process.stdin?.write.bind(runtime.process.stdin)
    if (runtime.process.stdin && write)
      runtime.process.stdin.write = ((chunk: string, ...rest: never[]) => {
        crossings.push(String(chunk))
        return write(chunk, ...rest)
      }) as typeof runtime.process.stdin.write
    try {
      const identity = await runtime.request('identity', {})
      const { provider, customer } = dev.signers
      await ensureStake(provider)
      await registerEnclave({
        chain: provider,
        enclave: runtime,
        identity,
        blobs,
        committeeUrls: [dev.committee.url],
      })
      const { offerId: teeOfferId } = await createTeeOffer(provider, {
        hardware: 0,
        price: parseEther('1'),
        capacity: 4,
      })
      const verified = await verifyEnclave(customer, {
        enclave: identity.signer,
        blobs,
        policy,
      })
      // The module carries the canary in a data segment it never writes out; the bundle is encrypted.
      const wat = echoWat.replace(
        '(data (i32.const 100) "data")',
        `(data (i32.const 100) "data") (data (i32.const 3000) "${canary}")`,
      )
      const bundle = createSolutionBundle(wasmManifest, [
        { path: 'main.wasm', bytes: await assembleWat(wat) },
      ])
      const { key, ciphertext } = await encryptObject(packSolutionBundle(bundle))
      const solution = await publishSolutionBundle(blobs, bundle, ciphertext)
      const placed = await placeOrder(customer, {
        blobs,
        teeOfferId,
        solutionOfferId: 0,
        enclave: verified,
        solutionHash: solution.solutionHash,
        solutionBundleHash: solution.bundleHash,
        inputs: [{ bytes: toBytes(`input ${canary}`) }],
        arguments: [canary],
      })
      await acceptOrders(provider, { terms: [placed.terms] })
      const result = await runOrderInEnclave({
        enclave: runtime,
        chainId: dev.deployment.chainId,
        market: dev.deployment.contracts.market,
        terms: placed.terms,
        blobs,
        solutionKeyRelease: await releaseKey({
          enclaveHpkePublicKey: identity.hpkePublicKey,
          key,
          orderId: placed.orderId,
          resourceHash: solution.solutionHash,
        }),
      })
      assert.ok('output' in result, show(result))
      await blobs.put(result.output)
      await submitReceipts(provider, {
        receipts: [
          {
            terms: placed.terms,
            outputHash: result.outputHash,
            wrappedResultKey: result.wrappedResultKey,
            signature: result.signature,
          },
        ],
      })
      const completed = await readOrder(customer, { orderId: placed.orderId })
      const { outputs } = await fetchOutputs({
        order: completed,
        blobs,
        resultKey: placed.resultKey,
      })
      // The customer sees it: it did go through the job.
      assert.ok(new TextDecoder().decode(outputs.result).includes(`input ${canary}`))
      assert.ok(new TextDecoder().decode(outputs.result).includes(`\0${canary}\0`))

      const needles = [
        canary,
        Buffer.from(canary).toString('base64').slice(0, 24),
        Buffer.from(canary).toString('hex'),
      ]
      const files = await readdir(workDir, { recursive: true, withFileTypes: true })
      const scanned = files.filter((file) => file.isFile())
      assert.ok(scanned.length >= 6)
      for (const file of scanned) {
        const bytes = await readFile(join(file.parentPath, file.name))
        for (const needle of needles)
          assert.equal(bytes.includes(needle), false, `the canary is in ${file.name}`)
      }
      for (const [where, lines] of [
        ['the runtime’s log', logLines],
        ['the interface', crossings],
      ] as const) {
        assert.ok(lines.length > 0)
        for (const needle of needles)
          assert.ok(!lines.join('').includes(needle), `the canary crossed ${where}`)
      }
      // The job's memory file system is wiped.
      const scratch = await readdir('/dev/shm').catch(() => [])
      const pid = runtime.process.pid as number
      assert.deepEqual(
        scratch.filter((name) => isScratchOfProcess(name, pid)),
        [],
      )
    } finally {
      await runtime.stop()
      await dev.stop()
      await rm(workDir, { recursive: true, force: true })
    }
  })
})
