import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import { formatEther } from 'viem'
import type { BoccSigner } from '../../chain/boccChain.ts'
import { auditOrder } from '../../client/auditOrder.ts'
import { checkResult } from '../../client/checkResult.ts'
import { fetchResult } from '../../client/fetchResult.ts'
import { placeOrder } from '../../client/placeOrder.ts'
import { waitForOrderCompletion } from '../../client/readOrder.ts'
import { verifyEnclave } from '../../client/verifyEnclave.ts'
import { type DevNetwork, devBlobStore, startDevNetwork } from '../../devnet/startDevNetwork.ts'
import { isSupportedImage } from '../../enclave/runners/ocr/isSupportedImage.ts'
import { BoccError } from '../../errors.ts'
import { formatOrderId, orderTotal } from '../../protocol/orderTerms.ts'
import type { ProviderEvent } from '../../provider/providerEvents.ts'
import { addExamples } from '../networkOptions.ts'
import { printChecks } from '../output.ts'
import { UsageError } from '../usage.ts'

export function define(command: Command) {
  command
    .option('--image <file>', 'a PNG or JPEG to read instead of the sample lab report')
    .option('--chain-port <port>', 'the local chain’s port (default: any free one)')
    .option(
      '--keep',
      'keep the network up until Ctrl-C, and its directory afterwards, to re-check the order',
    )
  addExamples(command, 'bocc demo', 'bocc demo --image invoice.jpg --keep')
}

const sampleImage = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'examples',
  'lab-report.png',
)

/**
 * `bocc demo`: a development network (chain, contracts, committee, a provider node with its
 * simulated enclave), and a customer who encrypts a document, verifies the enclave, orders with
 * escrow, and verifies and decrypts the OCR result — each a named step below.
 */
export async function run(values: {
  image?: string
  chainPort?: string
  keep?: boolean
}): Promise<number> {
  const port = values.chainPort === undefined ? 0 : Number(values.chainPort)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--chain-port must be a port number')
  const image = await readImage(values.image ?? sampleImage)

  const cleanups: (() => Promise<unknown>)[] = []
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
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  try {
    const { code, recheck, directory } = await Promise.race([
      interrupted,
      runDemo(image, port, interruption.signal, cleanups, values.keep === true),
    ])
    console.log(`\nRe-check the order from public data: ${recheck}`)
    if (!values.keep) {
      console.log('(run `bocc demo --keep` to keep the network up for that)')
      return code
    }
    console.log(`The network stays up until Ctrl-C; its files stay in ${directory}.`)
    await stopped
    return code
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  }
}

async function runDemo(
  image: Uint8Array,
  port: number,
  signal: AbortSignal,
  cleanups: (() => Promise<unknown>)[],
  keep: boolean,
): Promise<{ code: number; recheck: string; directory: string }> {
  console.log(
    'BOCC demo: one confidential OCR job (the TEE is SIMULATED; chain, contracts, cryptography and model are real)\n',
  )
  const directory = await mkdtemp(join(tmpdir(), 'bocc-demo-'))
  if (!keep) cleanups.push(() => rm(directory, { recursive: true, force: true }))
  const failures = new Map<string, string>()
  const progress = timedSteps(signal)
  const network = await startDevNetwork({
    directory,
    chainPort: port,
    signal,
    onStep: (label) => progress.start(label),
    onProviderEvent: (event) => reportProviderEvent(event, failures),
  })
  cleanups.push(() => network.stop())
  progress.end()
  console.log(`    RPC ${network.chain.rpcUrl}, market ${network.deployment.contracts.market}`)

  const customer = await network.signer('customer')
  const enclave = await progress.run(
    'verifying the enclave evidence against the customer policy',
    () => verifyTheEnclave(network, customer),
  )
  const placed = await progress.run('encrypting the document and ordering with escrow', () =>
    placeTheOrder(network, customer, enclave, image),
  )
  console.log(
    `    order ${short(formatOrderId(placed.orderId))}: ${image.length} bytes encrypted, input ${placed.terms.inputHash.slice(0, 18)}…, escrow ${formatEther(orderTotal(placed.terms))} tBOCC`,
  )
  const order = await progress.run('waiting for the enclave result', () =>
    waitForOrderCompletion(customer, {
      orderId: placed.orderId,
      // The provider reports a failed order at once: no need to wait for the deadline.
      stopIf: () => failures.get(formatOrderId(placed.orderId)),
    }),
  )
  const fetched = await progress.run('downloading and decrypting the result', () =>
    fetchResult({ order, blobs: devBlobStore(network), resultKey: placed.resultKey }),
  )
  signal.throwIfAborted()
  console.log('\nRecognised text:')
  for (const line of fetched.result.lines) console.log(`    ${line.text}`)

  const audit = await auditOrder(customer, {
    orderId: placed.orderId,
    blobs: devBlobStore(network),
    policy: network.policy,
  })
  const checked = checkResult({ audit, placed, fetched, solutionHash: network.ocr.solutionHash })
  console.log('\nVerification:')
  printChecks(checked.checks)
  console.log(checked.ok ? '\nverified' : '\nNOT verified: see the failed checks above')
  return {
    code: checked.ok ? 0 : 1,
    recheck: `bocc verify order ${formatOrderId(placed.orderId)} --deployment ${network.deploymentFile}`,
    directory,
  }
}

async function readImage(path: string): Promise<Uint8Array> {
  let image: Uint8Array
  try {
    image = new Uint8Array(await readFile(path))
  } catch {
    throw new BoccError(`cannot read the image ${path}`)
  }
  if (!isSupportedImage(image)) throw new BoccError(`${path} is not a PNG or JPEG image`)
  return image
}

/** The customer checks the enclave itself, whatever the committee said. */
async function verifyTheEnclave(network: DevNetwork, customer: BoccSigner) {
  const enclave = await verifyEnclave(customer, {
    enclave: network.provider.enclave,
    blobs: devBlobStore(network),
    policy: network.policy,
  })
  if (!enclave.ok) {
    printChecks(enclave.checks)
    throw new BoccError('the enclave failed verification; no order was placed')
  }
  return enclave
}

function placeTheOrder(
  network: DevNetwork,
  customer: BoccSigner,
  enclave: Awaited<ReturnType<typeof verifyTheEnclave>>,
  image: Uint8Array,
) {
  return placeOrder(customer, {
    blobs: devBlobStore(network),
    teeOfferId: network.provider.offerId,
    solutionOfferId: network.ocr.offerId,
    enclave,
    solutionHash: network.ocr.solutionHash,
    solutionBundleHash: network.ocr.bundleHash,
    inputs: [{ bytes: image }],
  })
}

function reportProviderEvent(event: ProviderEvent, failures: Map<string, string>) {
  if (event.event === 'staked')
    console.log(`    provider staked ${formatEther(BigInt(event.amount))} tBOCC`)
  if (event.event === 'enclave-registered')
    console.log(`    committee verified the evidence; provider registered enclave ${event.enclave}`)
  if (event.event === 'offer-created')
    console.log(`    provider offers the enclave (TEE offer ${event.offerId})`)
  if (event.event === 'orders-accepted')
    console.log(
      `    provider accepted order ${event.orderIds.map(short).join(', ')}; the enclave runs PaddleOCR`,
    )
  if (event.event === 'receipts-accepted')
    console.log(
      '    provider submitted the enclave’s receipt; the contract revealed the sealed result key and credited the payouts',
    )
  if (event.event === 'failure-submitted')
    console.log(
      `    the enclave could not run order ${short(event.orderId)}: ${event.reason}; its signed failure refunded the escrow`,
    )
  if (event.event === 'order-failed') {
    console.log(`    provider: order ${short(event.orderId)} failed: ${event.error}`)
    failures.set(event.orderId, event.error)
  }
}

/** A long hex id, shortened for progress lines. */
function short(id: string): string {
  return `${id.slice(0, 10)}…`
}

/** Prints each step as it starts, and how long it took. */
function timedSteps(signal: AbortSignal) {
  let started: number | undefined
  const end = () => {
    if (started !== undefined)
      console.log(`    done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    started = undefined
  }
  const start = (label: string) => {
    end()
    signal.throwIfAborted()
    started = performance.now()
    console.log(`▸ ${label}`)
  }
  return {
    start,
    end,
    async run<T>(label: string, action: () => Promise<T>): Promise<T> {
      start(label)
      try {
        const result = await action()
        signal.throwIfAborted()
        end()
        return result
      } catch (error) {
        started = undefined
        console.log('    failed')
        throw error
      }
    },
  }
}
