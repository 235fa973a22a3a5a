import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Hex, parseEther, parseEventLogs, sha256 } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { boccProtocolAbi, boccTokenAbi } from '../../src/chain/artifacts.ts'
import { sendTransaction, TransactionRevertedError } from '../../src/chain/sendTransaction.ts'
import { fetchResult } from '../../src/client/fetchResult.ts'
import { type PlacedOrder, placeOrder } from '../../src/client/placeOrder.ts'
import { readOrder } from '../../src/client/readOrder.ts'
import { type VerifiedEnclave, verifyEnclave } from '../../src/client/verifyEnclave.ts'
import { encryptObject } from '../../src/crypto/chunkedAead.ts'
import { generateHpkeKeyPair } from '../../src/crypto/hpke.ts'
import { measureRuntime } from '../../src/enclave/measureRuntime.ts'
import type { EnclaveIdentity } from '../../src/protocol/enclaveInterface.ts'
import { failureReasons } from '../../src/protocol/failureReasons.ts'
import { encodeOrderRequest, sealOrderRequest } from '../../src/protocol/orderRequest.ts'
import { formatOrderId, type OrderTerms, orderTotal } from '../../src/protocol/orderTerms.ts'
import { protocolDomain, receiptTypes } from '../../src/protocol/receipt.ts'
import { publishSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { type EnclaveClient, startEnclave } from '../../src/provider/enclaveClient.ts'
import { ensureStake } from '../../src/provider/ensureStake.ts'
import { registerEnclave } from '../../src/provider/registerEnclave.ts'
import { runOrderInEnclave } from '../../src/provider/runOrderInEnclave.ts'
import { paddleOcrSolution } from '../../src/solutions/paddleocr/paddleOcrSolution.ts'
import { type BlobStore, createFsBlobStore } from '../../src/storage/blobStore.ts'
import { type LocalProtocol, startLocalProtocol } from '../support/localProtocol.ts'
import { runBocc } from '../support/runBocc.ts'

const document = new Uint8Array(await readFile('examples/lab-report.png'))
const plaintextMarkers = ['NORTHGATE', 'Glucose', 'Jane Doe']
const strace = spawnSync('strace', ['-V']).status === 0

/**
 * The trust boundary, end to end with the real enclave runtime process and a real chain: what
 * crosses to the host is ciphertext only, the contract pays only for the enclave's own receipt,
 * tampering is caught, and the runtime opens no network connection.
 */
describe('enclave boundary', () => {
  let dev: LocalProtocol
  let workDir: string
  let blobs: BlobStore
  let enclave: EnclaveClient
  let identity: EnclaveIdentity
  let verified: VerifiedEnclave
  let teeOfferId: number
  let ocr: { solutionHash: Hex; bundleHash: Hex }
  let firstOrderId = ''
  const price = parseEther('3')
  const crossings: string[] = []
  const contract = () => ({ address: dev.deployment.protocol, abi: boccProtocolAbi }) as const

  before(async () => {
    dev = await startLocalProtocol()
    workDir = await mkdtemp(join(tmpdir(), 'bocc-boundary-'))
    blobs = createFsBlobStore(join(workDir, 'blobs'))
    ocr = await publishSolutionBundle(blobs, paddleOcrSolution())
    enclave = await startEnclave({
      tee: 'sim',
      ...(strace
        ? {
            launcher: [
              'strace',
              '-f',
              '-qq',
              '-e',
              'trace=connect',
              '-o',
              join(workDir, 'syscalls.txt'),
            ],
          }
        : {}),
    })
    // Record every message that crosses the host/enclave interface.
    const request = enclave.request.bind(enclave)
    enclave.request = (async (method: never, params: never) => {
      crossings.push(JSON.stringify(params))
      const result = await request(method, params)
      crossings.push(JSON.stringify(result))
      return result
    }) as typeof enclave.request
    identity = await enclave.request('identity', {})

    const { provider, customer } = dev.signers
    await ensureStake(provider, dev.deployment.protocol)
    await registerEnclave({
      connection: provider,
      protocol: dev.deployment.protocol,
      enclave,
      identity,
      blobs,
      committeeUrls: [dev.committee.url],
    })
    const { receipt } = await sendTransaction(provider, {
      ...contract(),
      functionName: 'createTeeOffer',
      args: [0, price, 10],
    })
    teeOfferId =
      parseEventLogs({ abi: boccProtocolAbi, eventName: 'TeeOfferCreated', logs: receipt.logs })[0]
        ?.args.offerId ?? 0
    verified = await verifyEnclave({
      connection: customer,
      protocol: dev.deployment.protocol,
      enclave: identity.signer,
      blobs,
      policy: { allowSim: true, allowedMeasurements: [measureRuntime()] },
    })
    assert.ok(verified.ok, JSON.stringify(verified.checks))
  })
  after(async () => {
    await enclave?.stop()
    await dev?.stop()
    await rm(workDir, { recursive: true, force: true })
  })

  /** Places an order as the customer and has the provider accept it. */
  async function order(input = document) {
    const placed = await placeOrder({
      connection: dev.signers.customer,
      protocol: dev.deployment.protocol,
      blobs,
      teeOfferId,
      solutionOfferId: 0,
      enclave: verified,
      solutionHash: ocr.solutionHash,
      solutionBundleHash: ocr.bundleHash,
      inputs: [{ bytes: input }],
    })
    await sendTransaction(dev.signers.provider, {
      ...contract(),
      functionName: 'acceptOrder',
      args: [placed.terms],
    })
    return placed
  }
  const runInEnclave = (
    orderId: bigint,
    terms: OrderTerms,
    request: Uint8Array,
    inputCiphertext: Uint8Array,
  ) =>
    runOrderInEnclave({
      enclave,
      chainId: dev.deployment.chainId,
      protocol: dev.deployment.protocol,
      orderId,
      terms,
      blobs,
      request,
      inputCiphertexts: [inputCiphertext],
    })
  /** Runs an order that should succeed, and returns its output and receipt. */
  const run = async (placed: PlacedOrder, inputCiphertext?: Uint8Array) => {
    const result = await runInEnclave(
      placed.orderId,
      placed.terms,
      await blobs.get(placed.terms.requestHash),
      inputCiphertext ?? (await blobs.get(placed.terms.inputHash)),
    )
    if ('failure' in result) throw new Error(`the enclave signed a failure (${result.failure})`)
    return result
  }
  const submit = (placed: PlacedOrder, outputHash: Hex, signature: Hex) =>
    sendTransaction(dev.signers.provider, {
      ...contract(),
      functionName: 'submitReceipt',
      args: [placed.terms, outputHash, signature],
    })
  const tokenBalance = (account: Hex) =>
    dev.signers.deployer.publicClient.readContract({
      address: dev.deployment.token,
      abi: boccTokenAbi,
      functionName: 'balanceOf',
      args: [account],
    })

  it('pays only for the order’s enclave receipt: a receipt signed by another key is rejected on-chain and the escrow stays', async () => {
    const placed = await order()
    firstOrderId = formatOrderId(placed.orderId)
    const result = await run(placed)
    const heldBefore = await tokenBalance(dev.deployment.protocol)
    const impostor = privateKeyToAccount(generatePrivateKey())
    const { terms } = placed
    const forged = await impostor.signTypedData({
      domain: protocolDomain(dev.deployment.chainId, dev.deployment.protocol),
      types: receiptTypes,
      primaryType: 'Receipt',
      message: {
        orderId: placed.orderId,
        requestHash: terms.requestHash,
        inputHash: terms.inputHash,
        solutionHash: terms.solutionHash,
        outputHash: result.outputHash,
      },
    })
    await assert.rejects(submit(placed, result.outputHash, forged), (error: unknown) => {
      assert.ok(error instanceof TransactionRevertedError)
      assert.equal(error.errorName, 'InvalidReceiptSigner')
      return true
    })
    // The real enclave's signature does not carry over to another output either.
    await assert.rejects(
      submit(placed, sha256(new Uint8Array([1])), result.signature),
      /InvalidReceiptSigner/,
    )
    const stillOpen = await readOrder({
      connection: dev.signers.customer,
      protocol: dev.deployment.protocol,
      orderId: placed.orderId,
    })
    assert.equal(stillOpen.status, 'accepted')
    assert.equal(await tokenBalance(dev.deployment.protocol), heldBefore)
    const providerBalance = () =>
      dev.signers.deployer.publicClient.readContract({
        ...contract(),
        functionName: 'balanceOf',
        args: [dev.signers.provider.account.address],
      })
    assert.equal(await providerBalance(), 0n)

    // The genuine receipt pays out, and the customer decrypts the text.
    await blobs.put(result.output)
    await submit(placed, result.outputHash, result.signature)
    assert.equal(await providerBalance(), price)
    const completed = await readOrder({
      connection: dev.signers.customer,
      protocol: dev.deployment.protocol,
      orderId: placed.orderId,
    })
    assert.equal(completed.status, 'completed')
    const fetched = await fetchResult({ order: completed, blobs, resultKey: placed.resultKey })
    assert.ok(fetched.result.lines.some((line) => line.text.includes('NORTHGATE')))
  })

  it('lets anyone re-check the completed order from public data with `bocc verify order`', async () => {
    const common = [
      '--rpc',
      dev.chain.rpcUrl,
      '--protocol',
      dev.deployment.protocol,
      '--blobs',
      join(workDir, 'blobs'),
    ]
    const verified = await runBocc(['verify', 'order', firstOrderId, ...common, '--allow-sim'])
    assert.equal(verified.code, 0, verified.stdout)
    assert.match(verified.stdout, /✔ data key sealed only to the order’s enclave/)
    assert.match(verified.stdout, /✔ receipt signed by the order’s enclave/)
    assert.equal(verified.stdout.trim().split('\n').pop(), 'verified')
    // The production stance refuses simulated evidence.
    const refused = await runBocc(['verify', 'order', firstOrderId, ...common, '--json'])
    assert.equal(refused.code, 1)
    const report = JSON.parse(refused.stdout) as {
      ok: boolean
      checks: { name: string; status: string }[]
    }
    assert.equal(report.ok, false)
    assert.deepEqual(
      report.checks.filter((check) => check.status === 'failed').map((check) => check.name),
      ['evidence: policy: simulated TEE'],
    )
  })

  it('lets no plaintext cross to the host: messages and stored blobs hold ciphertext only', async () => {
    assert.ok(crossings.length >= 4)
    const pngSignature = Buffer.from(document.subarray(0, 16)).toString('base64').slice(0, 16)
    for (const message of crossings) {
      for (const marker of plaintextMarkers)
        assert.ok(!message.includes(marker), `plaintext "${marker}" crossed the boundary`)
      assert.ok(!message.includes(pngSignature))
    }
    const files = await readdir(join(workDir, 'blobs'))
    assert.ok(files.length >= 4)
    for (const file of files) {
      const bytes = await readFile(join(workDir, 'blobs', file))
      for (const marker of plaintextMarkers)
        assert.equal(bytes.includes(marker), false, `plaintext "${marker}" in blob ${file}`)
      assert.equal(bytes.includes(Buffer.from(document.subarray(0, 64))), false)
    }
  })

  it('refuses inputs that do not match the order, and signs a failure for ciphertext it cannot decrypt', async () => {
    const placed = await order()
    const tampered = (await blobs.get(placed.terms.inputHash)).slice()
    tampered[100] = (tampered[100] ?? 0) ^ 1
    await assert.rejects(
      run(placed, tampered),
      /^EnclaveError: the enclave refused: the input ciphertext does not match the order’s inputHash$/m,
    )

    // Ciphertext corrupted before it was hashed: every hash matches, and decryption fails.
    const { key, ciphertext } = await encryptObject(document)
    ciphertext[ciphertext.length - 1] = (ciphertext[ciphertext.length - 1] ?? 0) ^ 1
    const inputHash = sha256(ciphertext)
    const request = encodeOrderRequest(
      await sealOrderRequest({
        enclaveSigner: identity.signer,
        enclaveHpkePublicKey: identity.hpkePublicKey,
        solutionHash: ocr.solutionHash,
        solutionBundleHash: ocr.bundleHash,
        inputs: [{ name: 'image', inputHash, dataKey: key }],
        resultPublicKey: (await generateHpkeKeyPair()).publicKey,
      }),
    )
    // Ordered on-chain like any order: the enclave signs a failure, which refunds the customer.
    await blobs.put(ciphertext)
    await blobs.put(request)
    await sendTransaction(dev.signers.customer, {
      address: dev.deployment.token,
      abi: boccTokenAbi,
      functionName: 'approve',
      args: [dev.deployment.protocol, parseEther('10')],
    })
    const now = Number((await dev.signers.customer.publicClient.getBlock()).timestamp)
    const { receipt } = await sendTransaction(dev.signers.customer, {
      ...contract(),
      functionName: 'createOrder',
      args: [
        {
          enclave: identity.signer,
          teeOfferId,
          solutionOfferId: 0,
          dataOfferId: 0,
          acceptBy: now + 120,
          deadline: now + 720,
          requestHash: sha256(request),
          inputHash,
          solutionHash: ocr.solutionHash,
          maxPayment: parseEther('10'),
        },
      ],
    })
    const created = parseEventLogs({
      abi: boccProtocolAbi,
      eventName: 'OrderCreated',
      logs: receipt.logs,
    })[0]
    if (!created) throw new Error('no OrderCreated event')
    const terms = created.args.terms as OrderTerms
    await sendTransaction(dev.signers.provider, {
      ...contract(),
      functionName: 'acceptOrder',
      args: [terms],
    })
    const result = await runInEnclave(created.args.orderId, terms, request, ciphertext)
    assert.ok('failure' in result, 'the enclave signs a failure for an input it cannot decrypt')
    assert.equal(result.failure, failureReasons.inputUndecryptable)
    const customerBalance = () =>
      dev.signers.deployer.publicClient.readContract({
        ...contract(),
        functionName: 'balanceOf',
        args: [dev.signers.customer.account.address],
      })
    const [stakeBefore] = await dev.signers.deployer.publicClient.readContract({
      ...contract(),
      functionName: 'stakeOf',
      args: [dev.signers.provider.account.address],
    })
    const before = await customerBalance()
    // The signature covers the reason: another reason does not verify.
    await assert.rejects(
      sendTransaction(dev.signers.provider, {
        ...contract(),
        functionName: 'submitFailure',
        args: [terms, failureReasons.inputRejected, result.signature],
      }),
      /InvalidReceiptSigner/,
    )
    await sendTransaction(dev.signers.provider, {
      ...contract(),
      functionName: 'submitFailure',
      args: [terms, result.failure, result.signature],
    })
    assert.equal(await customerBalance(), before + orderTotal(terms))
    const [stakeAfter] = await dev.signers.deployer.publicClient.readContract({
      ...contract(),
      functionName: 'stakeOf',
      args: [dev.signers.provider.account.address],
    })
    assert.equal(stakeAfter, stakeBefore)
    const failed = await readOrder({
      connection: dev.signers.customer,
      protocol: dev.deployment.protocol,
      orderId: created.args.orderId,
    })
    assert.equal(failed.status, 'failed')
    assert.equal(failed.failure?.reason, failureReasons.inputUndecryptable)
    // Anyone can check that the failure is the enclave's own.
    const audit = await runBocc([
      'verify',
      'order',
      formatOrderId(created.args.orderId),
      '--rpc',
      dev.chain.rpcUrl,
      '--protocol',
      dev.deployment.protocol,
      '--blobs',
      join(workDir, 'blobs'),
      '--allow-sim',
    ])
    assert.equal(audit.code, 0, audit.stdout)
    assert.match(
      audit.stdout,
      /✔ failure signed by the order’s enclave: the input could not be decrypted/,
    )
  })

  it('catches a tampered output blob before decrypting', async () => {
    const placed = await order()
    const result = await run(placed)
    await submit(placed, result.outputHash, result.signature)
    const output = result.output.slice()
    output[output.length - 1] = (output[output.length - 1] ?? 0) ^ 1
    // A lying store: the file at the output's address holds other bytes.
    await writeFile(join(workDir, 'blobs', result.outputHash.slice(2)), output)
    const completed = await readOrder({
      connection: dev.signers.customer,
      protocol: dev.deployment.protocol,
      orderId: placed.orderId,
    })
    await assert.rejects(
      fetchResult({ order: completed, blobs, resultKey: placed.resultKey }),
      /does not hash to its address/,
    )
  })

  it('opens no network connection from the enclave runtime', {
    skip: !strace && 'strace is not installed',
  }, async () => {
    const log = await readFile(join(workDir, 'syscalls.txt'), 'utf8')
    assert.doesNotMatch(log, /connect\(/, log)
    // The same tracing does see a connection when a process makes one.
    const control = join(workDir, 'control.txt')
    spawnSync('strace', [
      '-f',
      '-qq',
      '-e',
      'trace=connect',
      '-o',
      control,
      process.execPath,
      '-e',
      "require('net').connect(1, '127.0.0.1').on('error', () => {})",
    ])
    assert.match(await readFile(control, 'utf8'), /connect\(/)
  })
})
