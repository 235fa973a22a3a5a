import type { Address, Hex } from 'viem'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'

/**
 * What the provider daemon reports as it works: its log, one JSON object per line on stdout
 * (with `time` and `level` added). Public values only: ids, hashes, addresses, amounts, reasons;
 * never a key, a request's content or an output.
 */
export type ProviderEvent =
  | { event: 'starting'; provider: Address; chainId: number; market: Address }
  | { event: 'test-fault'; step: string }
  | { event: 'staked'; amount: string }
  | { event: 'offer-created'; offerId: number; price: string; capacity: number }
  | { event: 'offer-updated'; offerId: number; price: string; capacity: number }
  | { event: 'enclave-started'; identity: EnclaveIdentity; hostPid: number }
  | { event: 'enclave-reattached'; enclave: Address; hostPid: number }
  | {
      event: 'enclave-registered'
      enclave: Address
      evidenceHash: Hex
      transaction: Hex
      expiresAt: number
    }
  | { event: 'enclave-lost'; enclave: Address; reason: string }
  | { event: 'enclave-revoked'; enclave: Address }
  | { event: 'enclave-retired'; enclave: Address }
  | { event: 'ready'; offerId: number; enclave: Address; metrics?: string; leases?: string }
  | { event: 'lease-endpoint-published'; url: string; transaction: Hex }
  | { event: 'lease-usage-settled'; leaseIds: string[]; transaction?: Hex }
  | { event: 'orders-accepted'; orderIds: string[] }
  | { event: 'order-refused'; orderId: string; reason: string }
  | { event: 'job-started'; orderId: string; enclave: Address }
  | { event: 'order-executed'; orderId: string; outputHash?: Hex; seconds: number }
  | { event: 'receipts-accepted'; orderIds: string[] }
  | { event: 'failure-submitted'; orderId: string; reason: string; code: number }
  | { event: 'order-failed'; orderId: string; error: string }
  | { event: 'order-handed-back'; orderId: string; fee: string }
  | { event: 'order-ended'; orderId: string; status: string }
  | { event: 'withdrawn'; amount: string }
  | { event: 'stake-low'; active: string; needed: string }
  | { event: 'accepting'; reason: string }
  | { event: 'warning'; message: string }
  | { event: 'stopping'; reason: string }
  | { event: 'stopped' }

/** A log line: the event, when, and how loud. */
export type ProviderLogLine = ProviderEvent & { time: string; level: 'info' | 'warn' }

/** Writes each event as one JSON line. */
export function createProviderLog(
  write: (line: string) => void,
  onEvent?: (event: ProviderEvent) => void,
) {
  return (event: ProviderEvent) => {
    const level = event.event === 'warning' || event.event === 'enclave-lost' ? 'warn' : 'info'
    write(`${JSON.stringify({ time: new Date().toISOString(), level, ...event })}\n`)
    onEvent?.(event)
  }
}

export type ProviderLog = ReturnType<typeof createProviderLog>
