import { type Hex, keccak256, recoverAddress } from 'viem'
import { CheckList, unreadableEvidenceVerdict } from '../checkList.ts'
import type { CheckTier } from '../checks.ts'
import type { EvidenceVerdict } from '../types.ts'
import { parseSimEvidence, simEvidenceBodyLength, simRootAddress } from './simEvidenceFormat.ts'

export {
  isSimEvidence,
  parseSimEvidence,
  simEvidenceLength,
  simRootAddress,
} from './simEvidenceFormat.ts'

/** Every check of sim evidence, with its tier. */
const simCheckTiers: Record<string, CheckTier> = {
  format: 'hardware authenticity',
  signature: 'hardware authenticity',
}

/** Verifies sim evidence: its format and the signature of the (simulated) root. */
export async function verifySimEvidence(evidence: Uint8Array): Promise<EvidenceVerdict> {
  let report: ReturnType<typeof parseSimEvidence>
  try {
    report = parseSimEvidence(evidence)
  } catch (error) {
    return unreadableEvidenceVerdict({
      tee: 'sim',
      structureCheck: 'format',
      tiers: simCheckTiers,
      error,
    })
  }
  const checks = new CheckList(simCheckTiers)
  checks.pass('format', 'sim evidence v1: a SIMULATED TEE, no hardware protects it')
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
  if (signatureOk)
    checks.pass(
      'signature',
      `signed by the published sim root ${simRootAddress} (simulated: anyone can forge this)`,
    )
  else
    checks.checks.push({
      name: 'signature',
      status: 'failed',
      explanation: 'not signed by the sim root',
      tier: 'hardware authenticity',
    })
  return {
    ok: signatureOk,
    tee: 'sim',
    advisoryIds: [],
    debug: report.debug,
    measurement: { measurement: report.measurement },
    reportData: report.reportData,
    checks: checks.checks,
    issuedAt: report.issuedAt,
    ...(signatureOk ? {} : { error: 'sim evidence signature is invalid' }),
  }
}
