import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { orderStates } from './providerState.ts'

/**
 * The daemon's Prometheus metrics (its own registry, never the process-global one): orders by
 * state, job durations, how far behind the chain it is, when its enclaves expire, its stake.
 * Amounts are in the payment token's smallest unit (as floats: for dashboards, not accounting).
 */
export function createProviderMetrics() {
  const registry = new Registry()
  const registers = [registry]
  collectDefaultMetrics({ register: registry, prefix: 'bocc_provider_process_' })
  const metrics = {
    registry,
    orders: new Gauge({
      name: 'bocc_provider_orders',
      help: 'Orders known to the daemon, by state',
      labelNames: ['state'],
      registers,
    }),
    jobSeconds: new Histogram({
      name: 'bocc_provider_job_duration_seconds',
      help: 'Time an order took in the enclave runtime',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    chainHead: new Gauge({
      name: 'bocc_provider_chain_head_block',
      help: 'Latest block number the RPC reported',
      registers,
    }),
    scannedBlock: new Gauge({
      name: 'bocc_provider_scanned_block',
      help: 'Last block whose orders the daemon has taken in',
      registers,
    }),
    chainLag: new Gauge({
      name: 'bocc_provider_chain_lag_blocks',
      help: 'Blocks between the chain head and the last scanned block (confirmations included)',
      registers,
    }),
    rpcErrors: new Counter({
      name: 'bocc_provider_rpc_errors_total',
      help: 'Rounds of the order loop that failed on an RPC or transaction error',
      registers,
    }),
    enclaveExpiry: new Gauge({
      name: 'bocc_provider_enclave_expiry_seconds',
      help: 'Seconds until the newest live enclave registration expires',
      registers,
    }),
    liveEnclaves: new Gauge({
      name: 'bocc_provider_live_enclaves',
      help: 'Registered enclaves whose runtime is running',
      registers,
    }),
    stakeActive: new Gauge({
      name: 'bocc_provider_stake_active',
      help: 'Active stake',
      registers,
    }),
    stakeLocked: new Gauge({
      name: 'bocc_provider_stake_locked',
      help: 'Stake locked by accepted orders',
      registers,
    }),
    accepting: new Gauge({
      name: 'bocc_provider_accepting',
      help: '1 while the daemon accepts new orders',
      registers,
    }),
    handBacks: new Counter({
      name: 'bocc_provider_hand_backs_total',
      help: 'Orders handed back',
      registers,
    }),
    receipts: new Counter({
      name: 'bocc_provider_receipts_total',
      help: 'Receipts and signed failures the chain accepted',
      registers,
    }),
  }
  for (const state of orderStates) metrics.orders.set({ state }, 0)
  return metrics
}

export type ProviderMetrics = ReturnType<typeof createProviderMetrics>
