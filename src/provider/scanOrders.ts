import type { Hex } from 'viem'
import { getCreatedOrders } from '../chain/actions/market/getCreatedOrders.ts'
import { formatOrderId } from '../protocol/orderTerms.ts'
import type { DaemonContext } from './daemonContext.ts'
import { endedByTheDaemon, reconcileOrders } from './reconcileOrders.ts'

/** Blocks per log query: small enough for public RPCs' range limits. */
const blocksPerQuery = 2_000n

/**
 * Takes in the orders created on this provider's offer up to `confirmations` blocks under the
 * head, from the block after the last one taken in (so a daemon that was down catches up).
 * First it checks that the last block it took in is still on the chain: if a reorg replaced it,
 * it goes back to the newest block it took in that is still there and scans again, forgetting
 * the orders of the replaced blocks it had not acted on (those still on the chain come back in
 * the rescan) and checking again the orders it ended whose deadline is still ahead. Orders for
 * enclaves that are not this daemon's are recorded as refused.
 */
export async function scanOrders(context: DaemonContext): Promise<void> {
  const { chain, state, config, metrics } = context
  const latest = await chain.publicClient.getBlock({ blockTag: 'latest' })
  const head = latest.number
  context.clock.observe(latest.timestamp)
  metrics.chainHead.set(Number(head))
  let last = state.lastScannedBlock() ?? chain.deployment.fromBlock - 1n
  const recorded = state.scannedBlocks()
  if (recorded[0] && !(await isOnChain(context, recorded[0]))) {
    let fork = chain.deployment.fromBlock - 1n
    for (const block of recorded.slice(1))
      if (await isOnChain(context, block)) {
        fork = block.number
        break
      }
    state.rewindTo(fork)
    // Transactions of ours in the replaced blocks may be gone: count nonces from the chain again.
    chain.account.nonceManager?.reset({ address: chain.account.address, chainId: chain.chain.id })
    context.log({
      event: 'warning',
      message: `the chain reorganised: block ${recorded[0].number} is no longer ${recorded[0].hash.slice(0, 10)}…; scanning again from block ${fork + 1n}`,
    })
    last = fork
    // Our receipts, failures and hand-backs in the replaced blocks may be gone too: the orders
    // they ended that could still be delivered are checked against the chain again.
    const now = context.clock.now()
    await reconcileOrders(
      context,
      state.ordersIn(endedByTheDaemon).filter((order) => order.terms.deadline > now),
    )
  }
  const target = head - BigInt(config.confirmations)
  for (let from = last + 1n; from <= target; from += blocksPerQuery) {
    const to = from + blocksPerQuery - 1n < target ? from + blocksPerQuery - 1n : target
    const [created, block] = await Promise.all([
      getCreatedOrders(chain, { teeOfferId: context.offerId, fromBlock: from, toBlock: to }),
      chain.publicClient.getBlock({ blockNumber: to }),
    ])
    const orders = created.map((order) => {
      const ours = context.fleet.knows(order.terms.enclave)
      return {
        ...order,
        state: ours ? ('queued' as const) : ('refused' as const),
        ...(ours ? {} : { reason: 'not one of this provider’s enclaves' }),
      }
    })
    state.recordScan({ number: to, hash: block.hash as Hex }, orders)
    for (const order of orders)
      if (order.state === 'refused')
        context.log({
          event: 'order-refused',
          orderId: formatOrderId(order.orderId),
          reason: order.reason ?? '',
        })
    metrics.scannedBlock.set(Number(to))
  }
  metrics.chainLag.set(Number(head - (state.lastScannedBlock() ?? head)))
}

async function isOnChain(context: DaemonContext, block: { number: bigint; hash: Hex }) {
  try {
    const found = await context.chain.publicClient.getBlock({ blockNumber: block.number })
    return found.hash === block.hash
  } catch (error) {
    // A chain rolled back below this block has no block there; anything else is an RPC error.
    if ((error as Error).name === 'BlockNotFoundError') return false
    throw error
  }
}
