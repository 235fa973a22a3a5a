import { type Address, concatBytes, type Hex, hexToBytes, isAddress, sha256, toBytes } from 'viem'
import { BoccError } from '../errors.ts'

/**
 * report_data (64 bytes, carried inside every hardware quote) binds the enclave's keys:
 *
 *   bytes  0..31  SHA-256("BOCC/report-data/v1" || signer address (20) || HPKE public key (32))
 *   bytes 32..63  freshness value (a recent block hash of the chain the enclave registers on)
 *
 * See docs/protocol.md. Keeping the freshness value readable lets a verifier check it directly.
 */
export const reportDataDomain = 'BOCC/report-data/v1'

export type EnclaveKeys = {
  /** secp256k1 address that signs receipts. */
  signer: Address
  /** Raw 32-byte X25519 public key that data keys are wrapped to. */
  hpkePublicKey: Hex
}

export function encodeReportData(keys: EnclaveKeys, freshness: Hex): Hex {
  const freshnessBytes = hexToBytes(freshness)
  if (freshnessBytes.length !== 32) throw new BoccError('the freshness value must be 32 bytes')
  return `${enclaveKeysDigest(keys)}${freshness.slice(2)}` as Hex
}

/** The first half of report_data for these keys. */
export function enclaveKeysDigest(keys: EnclaveKeys): Hex {
  if (!isAddress(keys.signer, { strict: false }))
    throw new BoccError('the enclave signer is not an address')
  const hpke = hexToBytes(keys.hpkePublicKey)
  if (hpke.length !== 32) throw new BoccError('the HPKE public key must be 32 bytes')
  return sha256(concatBytes([toBytes(reportDataDomain), hexToBytes(keys.signer), hpke]))
}

export type DecodedReportData = { keysDigest: Hex; freshness: Hex }

export function decodeReportData(reportData: Hex): DecodedReportData {
  if (hexToBytes(reportData).length !== 64) throw new BoccError('report_data must be 64 bytes')
  return {
    keysDigest: reportData.slice(0, 66).toLowerCase() as Hex,
    freshness: `0x${reportData.slice(66).toLowerCase()}` as Hex,
  }
}
