import { type Hex, keccak256, recoverAddress } from 'viem'
import { unreadableEvidenceVerdict } from '../checks.ts'
import type { Check, EvidenceVerdict } from '../types.ts'
import { parseSimEvidence, simEvidenceBodyLength, simRootAddress } from './simEvidenceFormat.ts'

export {
  isSimEvidence,
  parseSimEvidence,
  simEvidenceLength,
  simRootAddress,
} from './simEvidenceFormat.ts'

/** Verifies sim evidence: its format and the signature of the (simulated) root. */
export async function verifySimEvidence(evidence: Uint8Array): Promise<EvidenceVerdict> {
  const checks: Check[] = []
  let report: ReturnType<typeof parseSimEvidence>
  try {
    report = parseSimEvidence(evidence)
  } catch (error) {
    return unreadableEvidenceVerdict({
      tee: 'sim',
      structureCheck: 'format',
      laterChecks: ['signature'],
      error,
    })
  }
  checks.push({ name: 'format', ok: true, detail: 'sim evidence v1 (SIMULATED TEE, no hardware)' })
  let signer: Hex | undefined
  try {
    signer = await recoverAddress({
      hash: keccak256(evidence.subarray(0, simEvidenceBodyLength)),
      signature: report.signature,
    })
  } catch {
    signer = undefined
  }
  const signatureOk = signer === simRootAddress
  checks.push({
    name: 'signature',
    ok: signatureOk,
    detail: signatureOk
      ? `signed by the published sim root ${simRootAddress} (simulated: anyone can forge this)`
      : 'not signed by the sim root',
  })
  return {
    ok: signatureOk,
    tee: 'sim',
    advisoryIds: [],
    debug: report.debug,
    measurement: { measurement: report.measurement },
    reportData: report.reportData,
    checks,
    issuedAt: report.issuedAt,
    ...(signatureOk ? {} : { error: 'sim evidence signature is invalid' }),
  }
}
