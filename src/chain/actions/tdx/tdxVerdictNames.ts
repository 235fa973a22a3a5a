import type { TcbStatus } from '../../../attestation/types.ts'
import { BoccError } from '../../../errors.ts'

/**
 * The TcbStatus enum of contracts/attestation/ITdxQuoteVerifier.sol, by value: the same names the
 * off-chain verifier reports, in the same order.
 */
export const tdxTcbStatuses = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
  'TDRelaunchAdvised',
  'TDRelaunchAdvisedConfigurationNeeded',
] as const satisfies readonly TcbStatus[]

/** The name of an on-chain TcbStatus value. */
export function tdxTcbStatusName(status: number): TcbStatus {
  const name = tdxTcbStatuses[status]
  if (!name) throw new BoccError(`TcbStatus ${status} is not one the contracts define`)
  return name
}

/** An on-chain advisory number as Intel writes it: 837 is INTEL-SA-00837. */
export function intelAdvisoryId(number: number): string {
  return `INTEL-SA-${String(number).padStart(5, '0')}`
}
