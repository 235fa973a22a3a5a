import { benchEnclaveMemory } from '../enclaveMemory.ts'
import type { FigureContext, FigureReport } from '../report.ts'

/** The enclave runtime's peak memory over many OCR orders, and its growth (bench/enclaveMemory.ts). */
export async function measureEnclaveMemory(context: FigureContext): Promise<FigureReport> {
  const orders =
    context.mode === 'smoke' ? 12 : Number(process.env.BOCC_BENCH_ENCLAVE_ORDERS ?? 1000)
  const results = await benchEnclaveMemory(orders)
  context.log(
    `  enclave: peak ${results.enclave_rss_mib} MiB, growth ${results.enclave_rss_growth_mib} MiB over ${orders} orders`,
  )
  return {
    values: {
      enclave_rss_mib: results.enclave_rss_mib ?? null,
      enclave_rss_growth_mib: results.enclave_rss_growth_mib ?? null,
      enclave_orders: orders,
    },
    notes: {
      enclave_rss_mib: `peak resident memory of the runtime process and its OCR worker over ${orders} OCR orders one after another (one in twenty the whole lab report, the others a word of its title)`,
      enclave_rss_growth_mib:
        'mean of orders 100–199 to mean of the last 100 (proportionally for a shorter run); the worker is replaced every 100 jobs',
    },
  }
}
