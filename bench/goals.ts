/** Each headline figure's goal, and the issue that owns it while it is not met. */
export type Goal = {
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

export const goals: Goal[] = [
  {
    key: 'inference_ttft_overhead_ratio',
    what: 'time to first token through bocc proxy and the enclave ÷ the same model in one process',
    goal: '≤ 1.05',
    ...atMost(1.05),
    owner: 'the confidential inference endpoint issue (leases)',
  },
  {
    key: 'inference_itl_overhead_ratio',
    what: 'inter-token latency through bocc proxy and the enclave ÷ the same model in one process',
    goal: '≤ 1.01',
    ...atMost(1.01),
    owner: 'the confidential inference endpoint issue (leases)',
  },
  {
    key: 'confidential_overhead_ratio',
    what: 'confidential OCR end to end ÷ plain inference, 50 images',
    goal: '≤ 1.10',
    ...atMost(1.1),
    owner: 'the provider daemon and CLI issues (polling, concurrency)',
  },
  {
    key: 'confidential_throughput_ratio',
    what: 'OCR orders/s with 8 customers ÷ plain pages/s on every core',
    goal: '≥ 0.9',
    ...atLeast(0.9),
    owner: 'the provider daemon issue (concurrency) and the enclave runtime issue (workers)',
  },
  {
    key: 'order_latency_ms_p50',
    what: 'createOrder mined to a verified result, trivial WASM job',
    goal: '< 250 ms',
    ...atMost(250),
    owner: 'the enclave runtime issue (wasm runner) and the provider daemon issue',
  },
  {
    key: 'order_latency_ms_p95',
    what: 'the same, 95th percentile',
    goal: '< 500 ms',
    ...atMost(500),
    owner: 'the enclave runtime and provider daemon issues',
  },
  {
    key: 'orders_per_s',
    what: 'trivial WASM orders per second, 50 customers, one provider',
    goal: '≥ 50',
    ...atLeast(50),
    owner: 'the provider daemon issue',
  },
  {
    key: 'orders_per_s_vs_transfers_ratio',
    what: 'orders/s ÷ ERC-20 transfers/s on the same node',
    goal: '≥ 0.25',
    ...atLeast(0.25),
    owner: 'the provider daemon issue',
  },
  {
    key: 'aead_vs_raw_ratio',
    what: 'chunked AEAD ÷ raw node:crypto AES-256-GCM, 256 MiB',
    goal: '≥ 0.9',
    ...atLeast(0.9),
    owner: 'the storage work (done)',
  },
  {
    key: 'aead_peak_rss_mib',
    what: 'extra memory to stream 1 GiB through encryption and decryption',
    goal: '< 100 MiB',
    ...atMost(100),
    owner: 'the storage work (done)',
  },
  {
    key: 'verify_vs_dcap_qvl_ratio',
    what: 'warm TDX verification ÷ @phala/dcap-qvl',
    goal: '≤ 0.25',
    ...atMost(0.25),
    owner: 'the verifiability issue (attestation speed)',
  },
  {
    key: 'verify_cold_ms',
    what: 'a fresh process: import and first TDX verification',
    goal: '≤ 100 ms',
    ...atMost(100),
    owner: 'the verifiability issue (attestation speed)',
  },
  {
    key: 'enclave_rss_mib',
    what: 'enclave runtime peak memory over 1,000 orders',
    goal: '≤ 600 MiB',
    ...atMost(600),
    owner: 'the enclave runtime issue',
  },
  {
    key: 'demo_s',
    what: '`npm run demo` wall time',
    goal: '≤ 3.0 s',
    ...atMost(3),
    owner: 'the provider daemon issue (startup) and the benchmark issue',
  },
]
