import type { Hex } from 'viem'
import { measureRuntime } from '../measureRuntime.ts'
import { signSimEvidence } from './signSimEvidence.ts'
import type { TeeBackend } from './teeBackend.ts'

/**
 * The SIMULATED TEE: no hardware isolation at all. Its measurement is the hash of the runtime's
 * own code, and its evidence is signed by a published key; production policy refuses it.
 */
export function createSimBackend(): TeeBackend {
  const measurement = measureRuntime()
  return {
    kind: 'sim',
    measurement,
    getEvidence: (reportData: Hex) =>
      signSimEvidence({ measurement, reportData, debug: false, issuedAt: new Date() }),
  }
}
