import type { Address } from 'viem'
import type { SolutionOffer } from '../chain/actions/catalog/getSolutionOffer.ts'
import type { Lease } from '../chain/actions/leases/getLease.ts'
import type { TeeOffer } from '../chain/actions/market/getTeeOffer.ts'
import type { EnclaveRecord } from '../chain/actions/registry/getEnclave.ts'
import { teeOfHardware } from '../protocol/enclaveApproval.ts'

/** What the chain says about a lease and an enclave, read when a provider asks for a release. */
export type LeaseReleaseFacts = {
  leaseId: bigint
  lease: Lease | undefined
  /** The model owner this agent releases for. */
  vendor: Address
  /** Whether the agent keeps the key of the lease's model, as sold by the lease's solution offer. */
  keyKept: boolean
  enclave: Address
  record: EnclaveRecord | undefined
  /** The registry's word: registered, not revoked or expired, measurement allowed, TCB current. */
  usable: boolean
  teeOffer: TeeOffer | undefined
  solutionOffer: SolutionOffer | undefined
  /** Seconds since the epoch: the later of the chain's latest block and this machine's clock. */
  now: number
}

/** Why a lease key release is refused: an HTTP status and one line for the asker. */
export type LeaseReleaseRefusal = { status: 403 | 404 | 410; reason: string }

/**
 * The on-chain checks before an owner seals its model's key for a lease (docs/protocol.md,
 * "Leases"): the lease exists and is for this owner's model, still runs (not closed, finalised,
 * over-claimed or past its end), and the enclave is registered to the lease's provider, usable, of
 * the hardware the lease's TEE offer sells and that the solution offer allows, with the runtime
 * measurement the solution offer requires. Undefined when all hold; the enclave's evidence is
 * checked against the owner's policy after this (`verifyEnclave`).
 */
export function leaseReleaseRefusal(facts: LeaseReleaseFacts): LeaseReleaseRefusal | undefined {
  const { lease, leaseId, enclave, record } = facts
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  if (!lease) return { status: 404, reason: `lease ${leaseId} does not exist` }
  if (!same(lease.solutionVendor, facts.vendor) || !facts.keyKept)
    return { status: 404, reason: `lease ${leaseId} is not for a model whose key this owner keeps` }
  const end = lease.closedAt !== 0 ? lease.closedAt : lease.endsAt
  if (lease.finalized) return { status: 410, reason: `lease ${leaseId} is finalised` }
  if (lease.overClaimed)
    return { status: 410, reason: `lease ${leaseId} ended on a proven over-claim` }
  if (end <= facts.now)
    return {
      status: 410,
      reason: `lease ${leaseId} ${lease.closedAt !== 0 ? 'was closed' : 'ended'} at ${new Date(end * 1000).toISOString()}`,
    }
  if (!record) return { status: 403, reason: `enclave ${enclave} is not registered` }
  if (!same(record.provider, lease.provider))
    return {
      status: 403,
      reason: `enclave ${enclave} is provider ${record.provider}’s, not the lease provider ${lease.provider}’s`,
    }
  if (!facts.usable)
    return {
      status: 403,
      reason: `enclave ${enclave} is not usable on-chain (revoked, expired, suspended or its measurement not allowed)`,
    }
  const tee = (hardware: number) => teeOfHardware(hardware) ?? `hardware ${hardware}`
  if (!facts.teeOffer || facts.teeOffer.hardware !== record.hardware)
    return {
      status: 403,
      reason: `enclave ${enclave} runs ${tee(record.hardware)}, not the hardware lease ${leaseId}’s TEE offer sells`,
    }
  const offer = facts.solutionOffer
  if (!offer || ((offer.hardwareMask >> record.hardware) & 1) === 0)
    return {
      status: 403,
      reason: `the solution offer of lease ${leaseId} does not allow ${tee(record.hardware)}`,
    }
  if (
    !/^0x0{64}$/.test(offer.requiredMeasurement) &&
    offer.requiredMeasurement.toLowerCase() !== record.measurement.toLowerCase()
  )
    return {
      status: 403,
      reason: `enclave ${enclave} runs measurement ${record.measurement}, not the ${offer.requiredMeasurement} the solution offer requires`,
    }
  return undefined
}
