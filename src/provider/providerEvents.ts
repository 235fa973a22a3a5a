import type { Address, Hex } from 'viem'
import type { EnclaveIdentity } from '../protocol/enclaveInterface.ts'

/** What the provider node reports as it works (its log: public values only). */
export type ProviderEvent =
  | { event: 'staked'; amount: string }
  | { event: 'enclave-started'; identity: EnclaveIdentity }
  | { event: 'enclave-registered'; enclave: Address; evidenceHash: Hex; transaction: Hex }
  | { event: 'offer-created'; offerId: number; price: string }
  | { event: 'ready' }
  | { event: 'orders-accepted'; orderIds: string[] }
  | { event: 'order-refused'; orderId: string; reason: string }
  | { event: 'order-executed'; orderId: string; outputHash: Hex }
  | { event: 'receipts-accepted'; orderIds: string[] }
  | { event: 'order-failed'; orderId: string; error: string }
  | { event: 'failure-submitted'; orderId: string; reason: string; code: number }
  | { event: 'withdrawn'; amount: string }
  | { event: 'warning'; message: string }
