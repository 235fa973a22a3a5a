import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Hash, type TransactionSerializable, toBytes } from 'viem'
import { createSolutionOffer } from '../../src/chain/actions/catalog/createSolutionOffer.ts'
import { encodeTokenTransfer } from '../../src/chain/actions/token/transferToken.ts'
import type { BoccSigner } from '../../src/chain/boccChain.ts'
import { type DevNetwork, devBlobStore, startDevNetwork } from '../../src/devnet/startDevNetwork.ts'
import { createSolutionBundle, publishSolutionBundle } from '../../src/protocol/solutionBundle.ts'
import { assembleWat, echoWat } from '../../test/support/wasmModules.ts'
import { type OfferedSolution, runConfidentialOrder } from '../confidentialOrder.ts'
import { fundedCustomers } from '../customers.ts'
import type { FigureContext, FigureReport } from '../report.ts'
import { quantile, summarize, timeMs } from '../summary.ts'

/** The orders the provider runs at once in these figures: its offer's capacity. */
const providerCapacity = 16

/**
 * The trivial WASM job's figures on one development network (anvil, automine): latency from
 * `createOrder` mined to a verified result over sequential orders, orders per second with many
 * concurrent customers against one provider, and plain ERC-20 transfers per second on the same
 * node, interleaved with the order rounds, to compare the two.
 */
export async function measureWasmOrders(context: FigureContext): Promise<FigureReport> {
  const smoke = context.mode === 'smoke'
  const directory = await mkdtemp(join(tmpdir(), 'bocc-bench-wasm-'))
  const network = await startDevNetwork({ directory, providerCapacity })
  try {
    const solution = await publishTrivialJob(network)
    const inputs = [{ name: 'data', bytes: toBytes('benchmark') }]
    const order = (customer: BoccSigner) =>
      runConfidentialOrder(network, customer, new Uint8Array(), { solution, inputs })
    const customerCount = smoke ? 2 : 50
    const customers = await fundedCustomers(network, customerCount)
    const [first] = customers
    if (!first) throw new Error('unreachable')
    await order(first)

    const latencies: number[] = []
    for (let i = 0; i < (smoke ? 3 : 100); i++) {
      const times = await order(first)
      latencies.push(times.verified - times.created)
    }
    context.log(
      `  WASM latency: p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p95 ${quantile(latencies, 0.95).toFixed(0)} ms`,
    )

    const orderRates: number[] = []
    const transferRates: number[] = []
    let lost = 0
    const perCustomer = smoke ? 1 : 2
    for (let round = 0; round < (smoke ? 1 : 2); round++) {
      transferRates.push(await transfersPerSecond(first, smoke ? 10 : 200))
      let failed = 0
      const ms = await timeMs(() =>
        Promise.all(
          customers.map(async (customer) => {
            for (let i = 0; i < perCustomer; i++)
              await order(customer).catch(() => {
                failed++
              })
          }),
        ),
      )
      lost += failed
      const placed = customers.length * perCustomer
      orderRates.push((placed - failed) / (ms / 1000))
      context.log(
        `  WASM throughput: ${orderRates.at(-1)?.toFixed(2)} orders/s, ERC-20 ${transferRates.at(-1)?.toFixed(0)} transfers/s`,
      )
    }
    const orders = summarize(orderRates, 2)
    const transfers = summarize(transferRates, 1)
    const ratios = orderRates.map((rate, i) => rate / (transferRates[i] as number))
    const ratio = summarize(ratios)
    const mode = 'anvil automine (a block per transaction)'
    return {
      values: {
        order_latency_ms_p50: Math.round(quantile(latencies, 0.5)),
        order_latency_ms_p95: Math.round(quantile(latencies, 0.95)),
        orders_per_s: orders.median,
        erc20_transfers_per_s: transfers.median,
        orders_per_s_vs_transfers_ratio: ratio.median,
        orders_lost_under_load_wasm: lost,
      },
      summaries: {
        orders_per_s: orders,
        erc20_transfers_per_s: transfers,
        orders_per_s_vs_transfers_ratio: ratio,
      },
      notes: {
        order_latency_ms_p50: `${latencies.length} sequential orders of a trivial WASM job (echo of 9 bytes), one customer; createOrder mined to the result downloaded, decrypted and audited; ${mode}`,
        order_latency_ms_p95: `the same ${latencies.length} orders, 95th percentile (nearest rank)`,
        orders_per_s: `${customerCount} customers, ${perCustomer} orders each one after another, all at once, against one provider of capacity ${providerCapacity}; every order verified; ${mode}`,
        erc20_transfers_per_s: `transfers from one account, signed beforehand, each sent once the node accepted the one before, all awaited together, against the same node, interleaved with the order rounds; ${mode}`,
        orders_per_s_vs_transfers_ratio: 'orders/s ÷ ERC-20 transfers/s, round by round',
        orders_lost_under_load_wasm:
          'orders of the WASM throughput rounds that failed to complete and verify within 120 s',
      },
    }
  } finally {
    await network.stop()
    await rm(directory, { recursive: true, force: true })
  }
}

/** A trivial WASM job (echoes its input), published and offered by the network's model vendor. */
async function publishTrivialJob(network: DevNetwork): Promise<OfferedSolution> {
  const bundle = createSolutionBundle(
    {
      name: 'bench-echo',
      version: '1',
      runner: 'wasm',
      entry: 'main.wasm',
      inputs: [{ name: 'data', maxBytes: 64 }],
      outputs: [{ name: 'result' }],
      limits: { memoryMiB: 16, timeoutMs: 2000 },
      arguments: { maxCount: 4, maxBytes: 64 },
    },
    [{ path: 'main.wasm', bytes: await assembleWat(echoWat) }],
  )
  const { solutionHash, bundleHash } = await publishSolutionBundle(devBlobStore(network), bundle)
  const vendor = await network.signer('modelVendor')
  const { offerId } = await createSolutionOffer(vendor, { solutionHash, price: 1n, bundleHash })
  return { offerId, solutionHash, bundleHash }
}

/**
 * Plain ERC-20 transfers from one account, as fast as the node takes them: all signed first (gas
 * and fees estimated once, nonces in a row), then each sent as soon as the node accepted the one
 * before, and all awaited together; the time runs from the first send. Sent all at once instead,
 * they could reach anvil out of nonce order, and its automine can then leave one ready but
 * unmined for good (foundry-rs/foundry#10122).
 */
async function transfersPerSecond(sender: BoccSigner, count: number): Promise<number> {
  const { account, publicClient } = sender
  const nonce = await publicClient.getTransactionCount({
    address: account.address,
    blockTag: 'pending',
  })
  const request = await publicClient.prepareTransactionRequest({
    account,
    to: sender.deployment.contracts.token,
    data: encodeTokenTransfer({ to: `0x${'22'.repeat(20)}`, amount: 1n }),
    nonce,
  })
  const sign = account.signTransaction
  if (!sign) throw new Error('the benchmark signs with a local account')
  const signed = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      sign({ ...request, nonce: nonce + i } as TransactionSerializable),
    ),
  )
  const ms = await timeMs(async () => {
    const hashes: Hash[] = []
    for (const transaction of signed)
      hashes.push(await publicClient.sendRawTransaction({ serializedTransaction: transaction }))
    await Promise.all(
      hashes.map(async (hash) => {
        const receipt = await publicClient.waitForTransactionReceipt({ hash })
        if (receipt.status !== 'success') throw new Error('a benchmark transfer reverted')
      }),
    )
  })
  // The account's nonces moved outside its manager: the next transaction counts from the chain.
  account.nonceManager?.reset({ address: account.address, chainId: sender.chain.id })
  return count / (ms / 1000)
}
