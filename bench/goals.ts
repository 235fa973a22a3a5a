/** Each headline figure's goal, and the issue that owns it while it is not met. */
export type Goal = {
  /** The figure's key in latest.json; a dot reaches into an object (`gas.lifecycle`). */
  key: string
  what: string
  goal: string
  /** Whether a value meets the goal. */
  met(value: number): boolean
  /** Where the figure's value sits relative to its goal: 1 is the goal, below 1 is better. */
  toGoal(value: number): number
  owner: string
}

const atMost = (limit: number) => ({
  met: (value: number) => value <= limit,
  toGoal: (value: number) => value / limit,
})
const atLeast = (limit: number) => ({
  met: (value: number) => value >= limit,
  toGoal: (value: number) => (value === 0 ? 10 : limit / value),
})

const equals = (target: number) => ({
  met: (value: number) => value === target,
  toGoal: (value: number) => (value === target ? 0.5 : 1 + Math.abs(value - target)),
})

/** The value under `key` in a latest.json object (dots reach into nested objects). */
export function figureValue(latest: Record<string, unknown>, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>(
      (value, part) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined,
      latest,
    )
}

export const goals: Goal[] = [
  {
    key: 'inference_ttft_overhead_ratio',
    what: 'time to first token through bocc proxy and the enclave ÷ the same model in one process',
    goal: '≤ 1.05',
    ...atMost(1.05),
    owner: 'issue 17 (the confidential inference endpoint)',
  },
  {
    key: 'inference_itl_overhead_ratio',
    what: 'inter-token latency through bocc proxy and the enclave ÷ the same model in one process',
    goal: '≤ 1.01',
    ...atMost(1.01),
    owner: 'issue 17 (the confidential inference endpoint)',
  },
  {
    key: 'confidential_overhead_ratio',
    what: 'confidential OCR end to end ÷ plain inference, 50 images',
    goal: '≤ 1.10',
    ...atMost(1.1),
    owner:
      'issue 9 (provider: detection and acceptance per order) and issue 10 (SDK: verification per order)',
  },
  {
    key: 'confidential_throughput_ratio',
    what: 'OCR orders/s with 8 customers ÷ plain pages/s on every core',
    goal: '≥ 0.9',
    ...atLeast(0.9),
    owner: 'issue 9 (provider concurrency) and issue 8 (the runtime’s OCR workers)',
  },
  {
    key: 'order_latency_ms_p50',
    what: 'createOrder mined to a verified result, trivial WASM job',
    goal: '< 250 ms',
    ...atMost(250),
    owner: 'issue 9 (provider: polling, a transaction per step) and issue 10 (SDK)',
  },
  {
    key: 'order_latency_ms_p95',
    what: 'the same, 95th percentile',
    goal: '< 500 ms',
    ...atMost(500),
    owner: 'issue 9 (provider: polling, a transaction per step) and issue 10 (SDK)',
  },
  {
    key: 'orders_per_s',
    what: 'trivial WASM orders per second, 50 customers, one provider',
    goal: '≥ 50',
    ...atLeast(50),
    owner: 'issue 9 (provider throughput) and issue 10 (client concurrency)',
  },
  {
    key: 'orders_per_s_vs_transfers_ratio',
    what: 'orders/s ÷ ERC-20 transfers/s on the same node',
    goal: '≥ 0.25',
    ...atLeast(0.25),
    owner: 'issue 9 (provider throughput) and issue 10 (client concurrency)',
  },
  {
    key: 'aead_vs_raw_ratio',
    what: 'chunked AEAD ÷ raw node:crypto AES-256-GCM, 256 MiB',
    goal: '≥ 0.9',
    ...atLeast(0.9),
    owner: 'issue 10 (client streaming)',
  },
  {
    key: 'aead_peak_rss_mib',
    what: 'extra memory to stream 1 GiB through encryption and decryption',
    goal: '< 100 MiB',
    ...atMost(100),
    owner: 'issue 10 (client streaming)',
  },
  {
    key: 'verify_vs_dcap_qvl_ratio',
    what: 'warm TDX verification ÷ @phala/dcap-qvl',
    goal: '≤ 0.25',
    ...atMost(0.25),
    owner: 'issue 14 (verifiability: attestation speed)',
  },
  {
    key: 'verify_cold_ms',
    what: 'a fresh process: import and first TDX verification',
    goal: '≤ 100 ms',
    ...atMost(100),
    owner: 'issue 14 (verifiability: attestation speed)',
  },
  {
    key: 'enclave_rss_mib',
    what: 'enclave runtime peak memory over 1,000 orders',
    goal: '≤ 600 MiB',
    ...atMost(600),
    owner: 'issue 8 (the enclave runtime’s memory)',
  },
  {
    key: 'demo_s',
    what: '`npm run demo` wall time',
    goal: '≤ 3.0 s',
    ...atMost(3),
    owner: 'issue 10 (bocc dev and demo) and issue 9 (the provider’s start)',
  },
  {
    key: 'enclave_rss_growth_mib',
    what: 'enclave runtime memory growth from order 100 to 1,000',
    goal: '≈ 0 (≤ 20 MiB)',
    ...atMost(20),
    owner: 'issue 8 (the enclave runtime’s memory)',
  },
  {
    key: 'orders_lost_under_load',
    what: 'orders of the throughput runs neither completed nor refunded',
    goal: '0',
    ...equals(0),
    owner: 'issue 9 (provider throughput) and issue 10 (client concurrency)',
  },
  {
    key: 'verify_ms.tdx',
    what: 'warm TDX verification',
    goal: '≤ 1.0 ms',
    ...atMost(1),
    owner: 'issue 14 (verifiability: attestation speed)',
  },
  {
    key: 'gas.lifecycle',
    what: 'gas of one order: create, accept, receipt',
    goal: '≤ 150,000 (issue 7: ≤ 201,000)',
    ...atMost(150_000),
    owner: 'issue 7 (5 % over the single contract), then issue 4 (the protocol contracts)',
  },
  {
    key: 'gas.lifecycle_per_order_batch20',
    what: 'gas per order, accept and receipt batched by 20',
    goal: '≤ 70,000 (issue 7: ≤ 122,000)',
    ...atMost(70_000),
    owner: 'issue 7 (5 % over the single contract), then issue 4 (the protocol contracts)',
  },
]
