import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { type Hex, parseEther, sha256 } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { acceptOrders } from '../../src/chain/actions/market/acceptOrders.ts'
import { createOrder } from '../../src/chain/actions/market/createOrder.ts'
import { createTeeOffer } from '../../src/chain/actions/market/createTeeOffer.ts'
import { getBalance } from '../../src/chain/actions/market/getBalance.ts'
import { getStake } from '../../src/chain/actions/market/getStake.ts'
import { submitFailures } from '../../src/chain/actions/market/submitFailures.ts'
import { submitReceipts } from '../../src/chain/actions/market/submitReceipts.ts'
import { approveToken } from '../../src/chain/actions/token/approveToken.ts'
import { getTokenBalance } from '../../src/chain/actions/token/getTokenBalance.ts'
import { writeDeployment } from '../../src/chain/deployment.ts'
import { TransactionRevertedError } from '../../src/chain/writeContractAndWait.ts'
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
import { marketDomain, receiptTypes } from '../../src/protocol/receipt.ts'
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
  let deploymentFile: string

  before(async () => {
    dev = await startLocalProtocol()
    workDir = await mkdtemp(join(tmpdir(), 'bocc-boundary-'))
    blobs = createFsBlobStore(join(workDir, 'blobs'))
    ocr = await publishSolutionBundle(blobs, paddleOcrSolution())
    deploymentFile = join(workDir, 'deployment.json')
    await writeDeployment(deploymentFile, {
      ...dev.deployment,
      blobStore: pathToFileURL(join(workDir, 'blobs')).href,
    })
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
    await ensureStake(provider)
    await registerEnclave({
      chain: provider,
      enclave,
      identity,
      blobs,
      committeeUrls: [dev.committee.url],
    })
    ;({ offerId: teeOfferId } = await createTeeOffer(provider, {
      hardware: 0,
      price,
      capacity: 10,
    }))
    verified = await verifyEnclave(customer, {
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
    const placed = await placeOrder(dev.signers.customer, {
      blobs,
      teeOfferId,
      solutionOfferId: 0,
      enclave: verified,
      solutionHash: ocr.solutionHash,
      solutionBundleHash: ocr.bundleHash,
      inputs: [{ bytes: input }],
    })
    await acceptOrders(dev.signers.provider, { terms: [placed.terms] })
    return placed
  }
  const runInEnclave = (terms: OrderTerms, request: Uint8Array, inputCiphertext: Uint8Array) =>
    runOrderInEnclave({
      enclave,
      chainId: dev.deployment.chainId,
      market: dev.deployment.contracts.market,
      terms,
      blobs,
      request,
      inputCiphertexts: [inputCiphertext],
    })
  /** Runs an order that should succeed, and returns its output and receipt. */
  const run = async (placed: PlacedOrder, inputCiphertext?: Uint8Array) => {
    const result = await runInEnclave(
      placed.terms,
      await blobs.get(placed.terms.requestHash),
      inputCiphertext ?? (await blobs.get(placed.terms.inputHash)),
    )
    if ('failure' in result) throw new Error(`the enclave signed a failure (${result.failure})`)
    return result
  }
  /** Submits one receipt; throws the custom error the market refused it with. */
  const submit = async (
    placed: PlacedOrder,
    outputHash: Hex,
    wrappedResultKey: Hex,
    signature: Hex,
  ) => {
    const outcome = await submitReceipts(dev.signers.provider, {
      receipts: [{ terms: placed.terms, outputHash, wrappedResultKey, signature }],
    })
    const [skipped] = outcome.skipped
    if (skipped)
      throw new TransactionRevertedError('submitReceipts', skipped.errorName, skipped.args)
  }
  const tokenBalance = async (account: Hex) =>
    (await getTokenBalance(dev.signers.deployer, { account })).wallet

  it('pays only for the order’s enclave receipt: a receipt signed by another key is rejected on-chain and the escrow stays', async () => {
    const placed = await order()
    firstOrderId = formatOrderId(placed.orderId)
    const result = await run(placed)
    const heldBefore = await tokenBalance(dev.deployment.contracts.market)
    const impostor = privateKeyToAccount(generatePrivateKey())
    const forged = await impostor.signTypedData({
      domain: marketDomain(dev.deployment.chainId, dev.deployment.contracts.market),
      types: receiptTypes,
      primaryType: 'Receipt',
      message: {
        orderId: placed.orderId,
        outputHash: result.outputHash,
        wrappedResultKey: result.wrappedResultKey,
      },
    })
    await assert.rejects(
      submit(placed, result.outputHash, result.wrappedResultKey, forged),
      (error: unknown) => {
        assert.ok(error instanceof TransactionRevertedError)
        assert.equal(error.errorName, 'InvalidEnclaveSignature')
        return true
      },
    )
    // The real enclave's signature does not carry over to another output or sealed key either.
    await assert.rejects(
      submit(placed, sha256(new Uint8Array([1])), result.wrappedResultKey, result.signature),
      /InvalidEnclaveSignature/,
    )
    await assert.rejects(
      submit(placed, result.outputHash, `0x${'11'.repeat(80)}`, result.signature),
      /InvalidEnclaveSignature/,
    )
    const stillOpen = await readOrder(dev.signers.customer, { orderId: placed.orderId })
    assert.equal(stillOpen.status, 'accepted')
    assert.equal(await tokenBalance(dev.deployment.contracts.market), heldBefore)
    const providerPending = async () =>
      (await getBalance(dev.signers.deployer, { account: dev.signers.provider.account.address }))
        .pending
    assert.equal(await providerPending(), 0n)

    // The genuine receipt pays out (maturing after the challenge window), and the customer decrypts the text.
    await blobs.put(result.output)
    await submit(placed, result.outputHash, result.wrappedResultKey, result.signature)
    assert.equal(await providerPending(), price)
    const completed = await readOrder(dev.signers.customer, { orderId: placed.orderId })
    assert.equal(completed.status, 'completed')
    const fetched = await fetchResult({ order: completed, blobs, resultKey: placed.resultKey })
    assert.ok(fetched.result.lines.some((line) => line.text.includes('NORTHGATE')))
  })

  it('lets anyone re-check the completed order from public data with `bocc verify order`', async () => {
    const common = ['--deployment', deploymentFile]
    const verified = await runBocc(['verify', 'order', firstOrderId, ...common, '--allow-sim'])
    assert.equal(verified.code, 0, verified.stdout)
    assert.match(verified.stdout, /✔ data key sealed only to the order’s enclave/)
    assert.match(verified.stdout, /✔ receipt signed by the order’s enclave/)
    assert.equal(verified.stdout.trim().split('\n').pop(), 'verified')
    // The production stance refuses simulated evidence.
    const refused = await runBocc(['verify', 'order', firstOrderId, ...common, '--json'])
    assert.equal(refused.code, 1)
    const report = JSON.parse(refused.stdout) as {
      verified: boolean
      checks: { name: string; status: string }[]
    }
    assert.equal(report.verified, false)
    assert.deepEqual(
      report.checks.filter((check) => check.status === 'failed').map((check) => check.name),
      ['evidence: policy: simulated TEE', 'evidence: policy: tee kind'],
    )
    const plain = await runBocc(['verify', 'order', firstOrderId, ...common])
    assert.equal(plain.code, 1)
    assert.match(
      plain.stdout.trim().split('\n').pop() ?? '',
      /enclave is simulated; give --allow-sim/,
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
    await approveToken(dev.signers.customer, { amount: parseEther('10') })
    const now = Number((await dev.signers.customer.publicClient.getBlock()).timestamp)
    const created = await createOrder(dev.signers.customer, {
      params: {
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
    })
    const { terms } = created
    await acceptOrders(dev.signers.provider, { terms: [terms] })
    const result = await runInEnclave(terms, request, ciphertext)
    assert.ok('failure' in result, 'the enclave signs a failure for an input it cannot decrypt')
    assert.equal(result.failure, failureReasons.inputUndecryptable)
    const customerBalance = async () =>
      (await getBalance(dev.signers.deployer, { account: dev.signers.customer.account.address }))
        .available
    const stakeOf = async () =>
      (await getStake(dev.signers.deployer, { provider: dev.signers.provider.account.address }))
        .active
    const stakeBefore = await stakeOf()
    const before = await customerBalance()
    // The signature covers the reason: another reason does not verify.
    const wrongReason = await submitFailures(dev.signers.provider, {
      failures: [{ terms, reason: failureReasons.inputRejected, signature: result.signature }],
    })
    assert.deepEqual(
      wrongReason.skipped.map((skipped) => skipped.errorName),
      ['InvalidEnclaveSignature'],
    )
    await submitFailures(dev.signers.provider, {
      failures: [{ terms, reason: result.failure, signature: result.signature }],
    })
    assert.equal(await customerBalance(), before + orderTotal(terms))
    assert.equal(await stakeOf(), stakeBefore)
    const failed = await readOrder(dev.signers.customer, { orderId: created.orderId })
    assert.equal(failed.status, 'failed')
    assert.equal(failed.failure?.reason, failureReasons.inputUndecryptable)
    // Anyone can check that the failure is the enclave's own.
    const audit = await runBocc([
      'verify',
      'order',
      formatOrderId(created.orderId),
      '--deployment',
      deploymentFile,
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
    await submit(placed, result.outputHash, result.wrappedResultKey, result.signature)
    const output = result.output.slice()
    output[output.length - 1] = (output[output.length - 1] ?? 0) ^ 1
    // A lying store: the file at the output's address holds other bytes.
    await writeFile(join(workDir, 'blobs', result.outputHash.slice(2)), output)
    const completed = await readOrder(dev.signers.customer, { orderId: placed.orderId })
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
