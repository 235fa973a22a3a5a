import { bytesToHex, concatBytes, type Hex, hexToBytes, toBytes } from 'viem'
import { BoccError } from '../../errors.ts'

/**
 * Evidence of the `sim` TEE backend: a development stand-in for a hardware quote, with the same
 * shape (measurement, 64 bytes of report data, a signature by a "hardware" root). It proves
 * NOTHING about hardware: the root key is published, so anyone can forge sim evidence.
 * Production policy refuses it. This module is the format only; the signer lives with the sim
 * backend (`src/enclave/tee/signSimEvidence.ts`), so no verifier holds a signing key.
 *
 *   magic "BOCCSIM1" (8) | version u16 | flags u16 (bit 0: debug) | issuedAt u64 (unix seconds)
 *   | measurement (32) | reportData (64) | signature (65, secp256k1 over keccak256 of the rest)
 */
export const simEvidenceMagic = 'BOCCSIM1'
const version = 1
/** Bytes covered by the signature. */
export const simEvidenceBodyLength = 8 + 2 + 2 + 8 + 32 + 64
export const simEvidenceLength = simEvidenceBodyLength + 65

/**
 * Address of the simulated hardware root, pinned by verifiers. Its key is published with the sim
 * backend (`src/enclave/tee/signSimEvidence.ts`, whose test checks that it signs as this address).
 */
export const simRootAddress = '0xe3180DcFA205219ce119851492A796C1dfEFddee'

/** The last second a JavaScript Date can hold: later issuedAt values are malformed evidence. */
const latestIssuedAtSeconds = 8.64e12

export type SimReport = {
  /** SHA-256 of the enclave runtime's code. */
  measurement: Hex
  reportData: Hex
  debug: boolean
  issuedAt: Date
}

export class SimEvidenceFormatError extends BoccError {
  override name = 'SimEvidenceFormatError'
}

/** The signed part of sim evidence for a report, in the layout above. */
export function encodeSimEvidenceBody(report: SimReport): Uint8Array {
  const measurement = hexToBytes(report.measurement)
  const reportData = hexToBytes(report.reportData)
  if (measurement.length !== 32) throw new SimEvidenceFormatError('measurement must be 32 bytes')
  if (reportData.length !== 64) throw new SimEvidenceFormatError('report data must be 64 bytes')
  const seconds = Math.floor(report.issuedAt.getTime() / 1000)
  if (!(seconds >= 0 && seconds <= latestIssuedAtSeconds))
    throw new SimEvidenceFormatError('issuedAt must be a time between 1970 and the year 275760')
  const header = new Uint8Array(20)
  header.set(toBytes(simEvidenceMagic))
  const view = new DataView(header.buffer)
  view.setUint16(8, version)
  view.setUint16(10, report.debug ? 1 : 0)
  view.setBigUint64(12, BigInt(seconds))
  return concatBytes([header, measurement, reportData])
}

export function isSimEvidence(evidence: Uint8Array): boolean {
  return (
    evidence.length >= 8 && new TextDecoder().decode(evidence.subarray(0, 8)) === simEvidenceMagic
  )
}

/** Parses sim evidence without checking its signature. */
export function parseSimEvidence(evidence: Uint8Array): SimReport & { signature: Hex } {
  if (!isSimEvidence(evidence)) throw new SimEvidenceFormatError('not sim evidence (bad magic)')
  if (evidence.length < simEvidenceLength)
    throw new SimEvidenceFormatError(`sim evidence is truncated (${evidence.length} bytes)`)
  const view = new DataView(evidence.buffer, evidence.byteOffset, evidence.byteLength)
  if (view.getUint16(8) !== version)
    throw new SimEvidenceFormatError(`unsupported sim evidence version ${view.getUint16(8)}`)
  const flags = view.getUint16(10)
  if (flags > 1) throw new SimEvidenceFormatError('unknown sim evidence flags')
  const seconds = view.getBigUint64(12)
  if (seconds > BigInt(latestIssuedAtSeconds))
    throw new SimEvidenceFormatError(
      `sim evidence issuedAt ${seconds} is beyond the last time a verifier can represent`,
    )
  return {
    debug: flags === 1,
    issuedAt: new Date(Number(seconds) * 1000),
    measurement: bytesToHex(evidence.subarray(20, 52)),
    reportData: bytesToHex(evidence.subarray(52, 116)),
    signature: bytesToHex(evidence.subarray(116, simEvidenceLength)),
  }
}
