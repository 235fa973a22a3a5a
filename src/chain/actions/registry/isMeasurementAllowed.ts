import type { Hex } from 'viem'
import type { BoccChain } from '../../boccChain.ts'
import { readRegistry } from './readRegistry.ts'

export type IsMeasurementAllowedParameters = {
  measurement: Hex
  /** The time (Unix seconds) to judge at; now when absent. The log keeps its whole history. */
  time?: number
}

/** Whether a runtime measurement is (or was, at `time`) on the on-chain allow-list. */
export function isMeasurementAllowed(
  chain: BoccChain,
  parameters: IsMeasurementAllowedParameters,
): Promise<boolean> {
  return parameters.time === undefined
    ? readRegistry(chain, 'isMeasurementAllowed', [parameters.measurement])
    : readRegistry(chain, 'isMeasurementAllowedAt', [parameters.measurement, parameters.time])
}
