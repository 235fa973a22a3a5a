import { contractEnums } from './artifacts.ts'

/** An order's status names, lower case, in the contract's order (index = on-chain value). */
export const orderStatuses = contractEnums.OrderStatus.map(
  (name) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`,
) as OrderStatusName[]

export type OrderStatusName = Uncapitalize<(typeof contractEnums.OrderStatus)[number]>

/** Whether an order in this status will change no more. */
export function isFinalStatus(status: OrderStatusName): boolean {
  return ['cancelled', 'refunded', 'failed', 'handedBack'].includes(status)
}
