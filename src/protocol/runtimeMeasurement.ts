import { concatBytes, type Hex, hexToBytes, sha256, toBytes } from 'viem'
import type { EvidenceVerdict, TeeKind } from '../attestation/types.ts'

/** The measurement fields that identify a runtime, per TEE kind (the verdict's field names). */
export const runtimeIdentityFields: Record<TeeKind, string[]> = {
  sim: ['measurement'],
  tdx: ['mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'],
  sgx: ['mrenclave', 'mrsigner'],
  'sev-snp': ['measurement'],
  'nvidia-cc': [],
}

/**
 * The 32-byte runtime measurement the chain's allow-list and enclave records hold. For `sim` it
 * is the sim measurement itself; for hardware evidence, whose measurements are longer, it is
 * SHA-256("BOCC/measurement/v1\n" ‖ tee ‖ "\n" ‖ each identity field's bytes, in the order above).
 * Undefined when the evidence lacks a field.
 */
export function runtimeMeasurementOf(
  verdict: Pick<EvidenceVerdict, 'tee' | 'measurement'>,
): Hex | undefined {
  const fields = runtimeIdentityFields[verdict.tee]
  const values = fields.map((field) => verdict.measurement[field])
  if (fields.length === 0 || values.some((value) => value === undefined)) return undefined
  if (verdict.tee === 'sim') return (values[0] as Hex).toLowerCase() as Hex
  return sha256(
    concatBytes([
      toBytes(`BOCC/measurement/v1\n${verdict.tee}\n`),
      ...values.map((value) => hexToBytes(value as Hex)),
    ]),
  )
}
