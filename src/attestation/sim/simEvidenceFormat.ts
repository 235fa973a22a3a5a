import { bytesToHex, concatBytes, type Hex, hexToBytes, keccak256, toBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { BoccError } from '../../errors.ts'

/**
 * Evidence of the `sim` TEE backend: a development stand-in for a hardware quote, with the same
 * shape (measurement, 64 bytes of report data, a signature by a "hardware" root). It proves
 * NOTHING about hardware: the root key below is public, so anyone can forge sim evidence.
 * Production policy refuses it.
 *
 *   magic "BOCCSIM1" (8) | version u16 | flags u16 (bit 0: debug) | issuedAt u64 (unix seconds)
 *   | measurement (32) | reportData (64) | signature (65, secp256k1 over keccak256 of the rest)
 */
export const simEvidenceMagic = 'BOCCSIM1'
const version = 1
/** Bytes covered by the signature. */
export const simEvidenceBodyLength = 8 + 2 + 2 + 8 + 32 + 64
export const simEvidenceLength = simEvidenceBodyLength + 65

/** The published, NOT secret, key of the simulated hardware root. */
const simRootPrivateKey = keccak256(toBytes('BOCC sim TEE root key: public, not a secret'))
const simRoot = privateKeyToAccount(simRootPrivateKey)
/** Address of the simulated hardware root, pinned by verifiers. */
export const simRootAddress = simRoot.address

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

/** Produces signed sim evidence (only the sim backend of the enclave runtime calls this). */
export async function signSimEvidence(report: SimReport): Promise<Uint8Array> {
  const measurement = hexToBytes(report.measurement)
  const reportData = hexToBytes(report.reportData)
  if (measurement.length !== 32) throw new SimEvidenceFormatError('measurement must be 32 bytes')
  if (reportData.length !== 64) throw new SimEvidenceFormatError('report data must be 64 bytes')
  const header = new Uint8Array(20)
  header.set(toBytes(simEvidenceMagic))
  const view = new DataView(header.buffer)
  view.setUint16(8, version)
  view.setUint16(10, report.debug ? 1 : 0)
  view.setBigUint64(12, BigInt(Math.floor(report.issuedAt.getTime() / 1000)))
  const body = concatBytes([header, measurement, reportData])
  const signature = await simRoot.sign({ hash: keccak256(body) })
  return concatBytes([body, hexToBytes(signature)])
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
  return {
    debug: flags === 1,
    issuedAt: new Date(Number(view.getBigUint64(12)) * 1000),
    measurement: bytesToHex(evidence.subarray(20, 52)),
    reportData: bytesToHex(evidence.subarray(52, 116)),
    signature: bytesToHex(evidence.subarray(116, simEvidenceLength)),
  }
}
