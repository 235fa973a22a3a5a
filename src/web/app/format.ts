import { type Address, formatUnits, type Hex } from 'viem'
import { teeOfHardware } from '../../protocol/enclaveApproval.ts'

/** A hash or address shortened for tables: `0x1234…abcd` (the full value is in the title). */
export function shortHex(value: Hex | Address, keep = 6): string {
  return value.length <= 2 + keep * 2 ? value : `${value.slice(0, 2 + keep)}…${value.slice(-4)}`
}

/** A token amount in whole units with its symbol. */
export function formatAmount(value: bigint, token: { symbol: string; decimals: number }): string {
  return `${formatUnits(value, token.decimals)} ${token.symbol}`
}

/** A Unix time in seconds as UTC, to the second. */
export function formatTime(seconds: number | bigint | Date): string {
  const date = seconds instanceof Date ? seconds : new Date(Number(seconds) * 1000)
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

const teeNames: Record<string, string> = {
  sim: 'simulated TEE',
  tdx: 'Intel TDX',
  'sev-snp': 'AMD SEV-SNP',
  sgx: 'Intel SGX',
  'nvidia-cc': 'NVIDIA confidential GPU',
}

/** A hardware kind as people name it. */
export function hardwareName(hardware: number): string {
  const tee = teeOfHardware(hardware)
  return tee ? (teeNames[tee] ?? tee) : `unknown hardware ${hardware}`
}

const statusNames: Record<string, string> = {
  none: 'unknown',
  created: 'waiting for the provider',
  accepted: 'running',
  completed: 'completed',
  challenged: 'challenged',
  cancelled: 'cancelled',
  refunded: 'refunded',
  failed: 'failed',
  handedBack: 'handed back',
}

/** An order status in words. */
export function statusName(status: string): string {
  return statusNames[status] ?? status
}
