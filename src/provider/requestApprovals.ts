import { type Address, bytesToHex, type Hex, isAddress, isHex } from 'viem'
import { BoccError } from '../errors.ts'
import type { EnclaveRegistration } from '../protocol/enclaveApproval.ts'

export class ApprovalsMissingError extends BoccError {
  override name = 'ApprovalsMissingError'
}

/**
 * Asks each committee verifier to check the evidence and approve the registration; returns the
 * signatures in increasing signer order, as the contract wants them. Needs `threshold` approvals,
 * all signed for the committee epoch `committeeEpoch`.
 */
export async function requestApprovals(parameters: {
  committeeUrls: string[]
  registration: EnclaveRegistration
  evidence: Uint8Array
  threshold: number
  committeeEpoch: bigint
}): Promise<Hex[]> {
  const body = JSON.stringify({
    registration: parameters.registration,
    evidence: bytesToHex(parameters.evidence),
  })
  const answers = await Promise.all(
    parameters.committeeUrls.map(async (url) => {
      try {
        const response = await fetch(`${url}/v1/approvals`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        })
        const answer = (await response.json()) as {
          signer?: Address
          signature?: Hex
          committeeEpoch?: string
          error?: string
        }
        if (
          answer.committeeEpoch !== undefined &&
          answer.committeeEpoch !== String(parameters.committeeEpoch)
        )
          return {
            error: `${url}: signed for committee epoch ${answer.committeeEpoch}, not ${parameters.committeeEpoch}`,
          }
        if (response.ok && isAddress(String(answer.signer)) && isHex(answer.signature))
          return { signer: answer.signer as Address, signature: answer.signature }
        return { error: `${url}: ${answer.error ?? `HTTP ${response.status}`}` }
      } catch (error) {
        return { error: `${url}: ${(error as Error).message}` }
      }
    }),
  )
  const approvals = answers.filter(
    (answer): answer is { signer: Address; signature: Hex } => 'signature' in answer,
  )
  if (approvals.length < parameters.threshold) {
    const reasons = answers.flatMap((answer) => ('error' in answer ? [answer.error] : []))
    throw new ApprovalsMissingError(
      `the committee approved the enclave ${approvals.length} times, ${parameters.threshold} needed${reasons[0] ? `: ${reasons[0]}` : ''}`,
    )
  }
  return approvals
    .sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1))
    .map((approval) => approval.signature)
}
