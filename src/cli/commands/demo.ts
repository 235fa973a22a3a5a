import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatEther, parseEther, parseEventLogs } from 'viem'
import type { Check } from '../../attestation/checks.ts'
import type { AttestationPolicy } from '../../attestation/policy.ts'
import { boccProtocolAbi, boccTokenAbi } from '../../chain/artifacts.ts'
import { connectSigner } from '../../chain/connectChain.ts'
import { deployContracts } from '../../chain/deployContracts.ts'
import { devPrivateKey, devRoles } from '../../chain/devAccounts.ts'
import { sendTransaction } from '../../chain/sendTransaction.ts'
import { startLocalChain } from '../../chain/startLocalChain.ts'
import { auditOrder } from '../../client/auditOrder.ts'
import { fetchResult } from '../../client/fetchResult.ts'
import { placeOrder } from '../../client/placeOrder.ts'
import { waitForOrderCompletion } from '../../client/readOrder.ts'
import { verifyEnclave } from '../../client/verifyEnclave.ts'
import { verifyOrder } from '../../client/verifyOrder.ts'
import { spawnCommitteeMember } from '../../committee/spawnCommitteeMember.ts'
import { measureRuntime } from '../../enclave/measureRuntime.ts'
import { isSupportedImage } from '../../enclave/runners/ocr/isSupportedImage.ts'
import { BoccError } from '../../errors.ts'
import { formatOrderId, orderTotal } from '../../protocol/orderTerms.ts'
import { publishSolutionBundle } from '../../protocol/solutionBundle.ts'
import { spawnProviderNode } from '../../provider/spawnProviderNode.ts'
import { paddleOcrSolution } from '../../solutions/paddleocr/paddleOcrSolution.ts'
import { createFsBlobStore } from '../../storage/blobStore.ts'
import { formatChecks } from '../formatChecks.ts'
import { UsageError } from '../usage.ts'

export const usage = 'bocc demo [--image FILE] [--chain-port PORT]'
export const summary = 'run one confidential OCR job end to end on a local chain (TEE simulated)'

const sampleImage = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'examples',
  'lab-report.png',
)
const teePrice = parseEther('5')
const solutionPrice = parseEther('2')

/**
 * `bocc demo`: a local chain, the contracts, a provider node with its (simulated) enclave, and a
 * customer who encrypts a document, verifies the enclave, orders with escrow, and verifies and
 * decrypts the OCR result.
 */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { image: { type: 'string' }, 'chain-port': { type: 'string' } },
  })
  const port = values['chain-port'] === undefined ? 0 : Number(values['chain-port'])
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--chain-port must be a port number')
  const imagePath = values.image ?? sampleImage
  let image: Uint8Array
  try {
    image = new Uint8Array(await readFile(imagePath))
  } catch {
    throw new BoccError(`cannot read the image ${imagePath}`)
  }
  if (!isSupportedImage(image)) throw new BoccError(`${imagePath} is not a PNG or JPEG image`)

  const cleanups: (() => Promise<unknown>)[] = []
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => {})
    cleanups.length = 0
  }
  // Ctrl-C: stop at the next step, then shut everything down (the `finally` below).
  const interruption = new AbortController()
  const interrupted = new Promise<never>((_, reject) => {
    const onSignal = () => {
      interruption.abort()
      reject(new BoccError('interrupted; everything was shut down'))
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    cleanups.push(async () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    })
  })
  interrupted.catch(() => {})
  const step = <T>(label: string, action: () => Promise<T>) =>
    timedStep(interruption.signal, label, action)

  try {
    return await Promise.race([interrupted, runDemo()])
  } finally {
    await cleanup()
  }

  async function runDemo(): Promise<number> {
    console.log(
      'BOCC demo: one confidential OCR job (the TEE is SIMULATED; chain, contracts, cryptography and model are real)\n',
    )
    const workDir = await mkdtemp(join(tmpdir(), 'bocc-demo-'))
    cleanups.push(() => rm(workDir, { recursive: true, force: true }))
    const blobs = createFsBlobStore(join(workDir, 'blobs'))

    const chain = await step('starting a local chain (anvil)', () => startLocalChain({ port }))
    cleanups.push(() => chain.stop())
    console.log(`    RPC ${chain.rpcUrl}`)
    const signer = (role: keyof typeof devRoles) =>
      connectSigner(chain.rpcUrl, devPrivateKey(devRoles[role]))
    const [deployer, committeeMember, modelVendor, providerWallet, customer] = await Promise.all([
      signer('deployer'),
      signer('committeeMember'),
      signer('modelVendor'),
      signer('provider'),
      signer('customer'),
    ])
    // The runtime anyone can rebuild from this source tree: the genesis of the allow-list, and
    // the customer's own policy.
    const runtimeMeasurement = measureRuntime()
    const deployment = await step(
      'deploying the contracts (allow-list genesis: this runtime; committee: 1 of 1)',
      () =>
        deployContracts(deployer, {
          genesisMeasurements: [runtimeMeasurement],
          committee: [committeeMember.account.address],
          committeeThreshold: 1,
        }),
    )
    console.log(`    protocol ${deployment.protocol}, token ${deployment.token}`)
    const protocol = { address: deployment.protocol, abi: boccProtocolAbi } as const
    const faucet = (connection: typeof customer) =>
      sendTransaction(connection, {
        address: deployment.token,
        abi: boccTokenAbi,
        functionName: 'faucet',
        args: [parseEther('1000')],
      })

    const committee = await step('starting the committee verifier service', () =>
      spawnCommitteeMember({
        rpcUrl: chain.rpcUrl,
        protocol: deployment.protocol,
        privateKey: devPrivateKey(devRoles.committeeMember),
        allowSim: true,
        signal: interruption.signal,
      }),
    )
    cleanups.push(() => committee.stop())

    // The model vendor publishes PaddleOCR as a bundle; any enclave loads it by hash.
    const ocrSolution = await publishSolutionBundle(blobs, paddleOcrSolution())
    const solutionHash = ocrSolution.solutionHash
    const solutionOfferId = await step(
      'model vendor offers PaddleOCR v4 (solution offer)',
      async () => {
        const { receipt } = await sendTransaction(modelVendor, {
          ...protocol,
          functionName: 'createSolutionOffer',
          args: [
            solutionHash,
            solutionPrice,
            0xff,
            '0x0000000000000000000000000000000000000000000000000000000000000000',
            [],
          ],
        })
        const [created] = parseEventLogs({
          abi: boccProtocolAbi,
          eventName: 'SolutionOfferCreated',
          logs: receipt.logs,
        })
        return created?.args.offerId ?? 0
      },
    )

    await faucet(providerWallet)
    const failures = new Map<string, string>()
    const provider = await step('starting the provider node and its enclave runtime', () =>
      spawnProviderNode({
        rpcUrl: chain.rpcUrl,
        protocol: deployment.protocol,
        committeeUrls: [committee.url],
        blobsDirectory: join(workDir, 'blobs'),
        privateKey: devPrivateKey(devRoles.provider),
        price: teePrice,
        signal: interruption.signal,
        onEvent: (event) => {
          if (event.event === 'staked')
            console.log(`    provider staked ${formatEther(BigInt(event.amount))} tBOCC`)
          if (event.event === 'enclave-registered')
            console.log(
              `    committee verified the evidence; provider registered enclave ${event.enclave}`,
            )
          if (event.event === 'offer-created')
            console.log(`    provider offers the enclave (TEE offer ${event.offerId})`)
          if (event.event === 'orders-accepted')
            console.log(
              `    provider accepted order ${event.orderIds.map(short).join(', ')}; the enclave runs PaddleOCR`,
            )
          if (event.event === 'receipts-accepted')
            console.log(`    provider submitted the enclave's receipt; the contract paid out`)
          if (event.event === 'failure-submitted')
            console.log(
              `    the enclave could not run order ${short(event.orderId)}: ${event.reason}; its signed failure refunded the escrow`,
            )
          if (event.event === 'order-failed') {
            console.log(`    provider: order ${short(event.orderId)} failed: ${event.error}`)
            failures.set(event.orderId, event.error)
          }
        },
      }),
    )
    cleanups.push(() => provider.stop())

    await faucet(customer)
    const policy: AttestationPolicy = {
      allowSim: true,
      allowedMeasurements: [runtimeMeasurement],
      maxEvidenceAgeSeconds: 3600,
    }
    const enclave = await step('verifying the enclave evidence against the customer policy', () =>
      verifyEnclave({
        connection: customer,
        protocol: deployment.protocol,
        enclave: provider.enclave,
        blobs,
        policy,
      }),
    )
    if (!enclave.ok) {
      printChecks(enclave.checks)
      throw new BoccError('the enclave failed verification; no order was placed')
    }
    const placed = await step('encrypting the document and ordering with escrow', () =>
      placeOrder({
        connection: customer,
        protocol: deployment.protocol,
        blobs,
        teeOfferId: provider.offerId,
        solutionOfferId,
        enclave,
        solutionHash,
        solutionBundleHash: ocrSolution.bundleHash,
        inputs: [{ bytes: image }],
      }),
    )
    console.log(
      `    order ${short(formatOrderId(placed.orderId))}: ${image.length} bytes encrypted, input ${placed.terms.inputHash.slice(0, 18)}…, escrow ${formatEther(orderTotal(placed.terms))} tBOCC`,
    )
    const order = await step('waiting for the enclave result', () =>
      waitForOrderCompletion({
        connection: customer,
        protocol: deployment.protocol,
        orderId: placed.orderId,
        fromBlock: deployment.fromBlock,
        // The provider reports a failed order at once: no need to wait for the deadline.
        stopIf: () => failures.get(formatOrderId(placed.orderId)),
      }),
    )
    const fetched = await step('downloading and decrypting the result', () =>
      fetchResult({ order, blobs, resultKey: placed.resultKey }),
    )

    interruption.signal.throwIfAborted()
    console.log('\nRecognised text:')
    for (const line of fetched.result.lines) console.log(`    ${line.text}`)

    const audit = await auditOrder({
      connection: customer,
      protocol: deployment.protocol,
      orderId: placed.orderId,
      blobs,
      policy,
      fromBlock: deployment.fromBlock,
    })
    const verification = verifyOrder({ audit, placed, fetched, solutionHash })
    console.log('\nVerification:')
    printChecks(verification.checks)
    console.log(verification.ok ? '\nverified' : '\nNOT verified: see the failed checks above')
    return verification.ok ? 0 : 1
  }
}

/** A long hex id, shortened for progress lines. */
function short(id: string): string {
  return `${id.slice(0, 10)}…`
}

async function timedStep<T>(
  signal: AbortSignal,
  label: string,
  action: () => Promise<T>,
): Promise<T> {
  signal.throwIfAborted()
  const started = performance.now()
  console.log(`▸ ${label}`)
  try {
    const result = await action()
    signal.throwIfAborted()
    console.log(`    done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return result
  } catch (error) {
    console.log('    failed')
    throw error
  }
}

function printChecks(checks: Check[]) {
  console.log(formatChecks(checks, '  '))
}
