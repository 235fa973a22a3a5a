import type { BoccSigner } from '../../boccChain.ts'
import type { WriteContractAndWaitReturnType } from '../../writeContractAndWait.ts'
import { writeLeases } from './writeLeases.ts'

/** Pays the caller its whole lease-market balance (refunds and earnings). */
export function withdrawLeaseBalance(chain: BoccSigner): Promise<WriteContractAndWaitReturnType> {
  return writeLeases(chain, 'withdraw', [])
}
