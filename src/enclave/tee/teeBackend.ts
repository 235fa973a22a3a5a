import type { Hex } from 'viem'
import type { TeeKind } from '../../attestation/types.ts'
import { BoccError } from '../../errors.ts'
import { createSimBackend } from './simBackend.ts'

/** What the runtime needs from the hardware: its measurement, and evidence over report_data. */
export type TeeBackend = {
  kind: TeeKind
  measurement: Hex
  getEvidence(reportData: Hex): Promise<Uint8Array>
}

export class TeeUnavailableError extends BoccError {
  override name = 'TeeUnavailableError'
}

export function createTeeBackend(kind: string): TeeBackend {
  if (kind === 'sim') return createSimBackend()
  if (kind === 'tdx' || kind === 'sev-snp')
    throw new TeeUnavailableError(
      `the ${kind} backend needs TEE hardware, which this machine lacks`,
    )
  throw new TeeUnavailableError(`unknown TEE backend "${kind}" (known: sim, tdx, sev-snp)`)
}
