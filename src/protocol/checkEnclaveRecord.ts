import { type Address, type Hex, sha256 } from 'viem'
import { type Check, checkOf } from '../attestation/checks.ts'
import type { EvidenceVerdict } from '../attestation/types.ts'
import { hardwareOf } from './enclaveApproval.ts'
import { runtimeMeasurementOf } from './runtimeMeasurement.ts'

/** What the chain holds (or a registration claims) about an enclave, as far as evidence can prove it. */
export type EnclaveClaim = {
  enclave: Address
  provider: Address
  hardware: number
  measurement: Hex
  evidenceHash: Hex
}

/** The block a piece of evidence names as its freshness value, as the chain knows it. */
export type FreshnessBlock = { number: bigint; timestamp: bigint }

export type CheckEnclaveRecordParameters = {
  claim: EnclaveClaim
  /** The evidence bytes that were verified. */
  evidence: Uint8Array
  /** Their verdict, from `verifyEnclaveEvidence` (report_data already checked against the claim). */
  verdict: EvidenceVerdict
  /** The freshness value report_data carries. */
  freshness: Hex
  /** The block with that hash on this chain, or undefined when there is none. */
  freshnessBlock: FreshnessBlock | undefined
  /** With `now` (the chain's time, Unix seconds), the oldest acceptable freshness block. */
  maxFreshnessAgeSeconds?: number
  now?: number
}

/**
 * The one check of an enclave's on-chain record (or a registration) against its verified
 * evidence: the evidence is the one the record names, proves the record's measurement and
 * hardware kind, and was made after a block of this chain (recent enough, when asked). The
 * customer, the committee and the auditor all call it. Pure: the caller reads the chain.
 */
export function checkEnclaveRecord(parameters: CheckEnclaveRecordParameters): Check[] {
  const { claim, verdict, freshnessBlock } = parameters
  const measurement = runtimeMeasurementOf(verdict)
  const checks: Check[] = [
    checkOf(
      'evidence ↔ record',
      sha256(parameters.evidence) === claim.evidenceHash.toLowerCase(),
      `the evidence hashes to the record's ${claim.evidenceHash.slice(0, 18)}…`,
      'order',
    ),
    checkOf(
      'measurement ↔ record',
      measurement !== undefined && measurement === claim.measurement.toLowerCase(),
      `the evidence reports the recorded runtime ${claim.measurement.slice(0, 18)}…`,
      'order',
    ),
    checkOf(
      'hardware ↔ record',
      hardwareOf(verdict.tee) === claim.hardware,
      `the evidence is ${verdict.tee} evidence`,
      'order',
    ),
  ]
  const age =
    freshnessBlock && parameters.now !== undefined
      ? parameters.now - Number(freshnessBlock.timestamp)
      : undefined
  const maxAge = parameters.maxFreshnessAgeSeconds
  checks.push(
    checkOf(
      'freshness block on this chain',
      freshnessBlock !== undefined &&
        (maxAge === undefined || (age !== undefined && age <= maxAge)),
      freshnessBlock === undefined
        ? `no block ${parameters.freshness} on this chain`
        : maxAge === undefined
          ? `the evidence was made after block ${freshnessBlock.number}`
          : `the evidence was made after block ${freshnessBlock.number}, ${age} s ago (limit ${maxAge} s)`,
      'key and channel binding',
    ),
  )
  return checks
}
