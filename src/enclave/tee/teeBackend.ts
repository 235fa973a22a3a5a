import { existsSync } from 'node:fs'
import type { Hex } from 'viem'
import type { TeeKind } from '../../attestation/types.ts'
import { BoccError } from '../../errors.ts'
import { defaultTsmReportRoot, type TsmFileSystem } from './configfsTsm.ts'
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

/**
 * The backend a runtime was configured with: `sim` (development only), `tdx` or `sev-snp`
 * through configfs-tsm, or `auto`, which takes the hardware configfs-tsm names and never falls
 * back to `sim`.
 */
export async function createTeeBackend(
  kind: string,
  options: { tsmRoot?: string; fs?: TsmFileSystem } = {},
): Promise<TeeBackend> {
  if (kind === 'sim') return createSimBackend()
  if (kind !== 'tdx' && kind !== 'sev-snp' && kind !== 'auto')
    throw new TeeUnavailableError(`unknown TEE backend "${kind}" (known: sim, tdx, sev-snp, auto)`)
  const root = options.tsmRoot ?? defaultTsmReportRoot
  if (!options.fs && !existsSync(root))
    throw new TeeUnavailableError(
      `no configfs-tsm at ${root}: this machine is not a TDX or SEV-SNP guest (use --tee sim for development)`,
    )
  const { createHardwareBackend } = await import('./hardwareBackend.ts')
  return createHardwareBackend({
    ...(kind === 'auto' ? {} : { kind }),
    root,
    ...(options.fs ? { fs: options.fs } : {}),
  })
}
