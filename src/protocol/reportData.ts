import {
  type Address,
  concatBytes,
  type Hex,
  hexToBytes,
  isAddress,
  numberToBytes,
  sha256,
  toBytes,
} from 'viem'
import { BoccError } from '../errors.ts'

/**
 * report_data v2 (64 bytes, carried inside every hardware quote or report) binds the enclave's
 * keys to one provider on one registry of one chain, and names the GPU evidence:
 *
 *   bytes  0..31  SHA-256("BOCC/report-data/v2" ‖ chainId (u256) ‖ registry (20) ‖ provider (20)
 *                 ‖ signer (20) ‖ HPKE public key (32) ‖ GPU evidence hash (32))
 *   bytes 32..63  freshness value (a recent block hash of that chain)
 *
 * See docs/protocol.md. Keeping the freshness value readable lets a verifier check it directly.
 */
export const reportDataDomain = 'BOCC/report-data/v2'

/** The domain of the nonce an enclave asks its GPU to sign, so GPU evidence is made for it. */
export const gpuNonceDomain = 'BOCC/gpu-nonce/v1'

const noGpuEvidence = `0x${'00'.repeat(32)}` as Hex

export class MalformedReportDataError extends BoccError {
  override name = 'MalformedReportDataError'
}

/** What report_data binds, besides freshness. */
export type EnclaveBinding = {
  /** The chain the enclave registers on. */
  chainId: number | bigint
  /** The registry contract it registers with. */
  registry: Address
  /** The provider account it registers under: nobody else can register it. */
  provider: Address
  /** secp256k1 address that signs receipts: the enclave's identity. */
  signer: Address
  /** Raw 32-byte X25519 public key that data keys are sealed to. */
  hpkePublicKey: Hex
  /** SHA-256 of the enclave's GPU evidence; absent (zero) without a confidential GPU. */
  gpuEvidenceHash?: Hex
}

export function encodeReportData(binding: EnclaveBinding, freshness: Hex): Hex {
  if (bytesOf(freshness, 'freshness value').length !== 32)
    throw new MalformedReportDataError('the freshness value must be 32 bytes')
  return `${enclaveBindingDigest(binding)}${freshness.slice(2).toLowerCase()}` as Hex
}

/** The first half of report_data for this binding. */
export function enclaveBindingDigest(binding: EnclaveBinding): Hex {
  for (const [name, address] of [
    ['registry', binding.registry],
    ['provider', binding.provider],
    ['enclave signer', binding.signer],
  ] as const)
    if (!isAddress(address, { strict: false }))
      throw new MalformedReportDataError(`the ${name} is not an address`)
  const hpke = bytesOf(binding.hpkePublicKey, 'HPKE public key')
  const gpu = bytesOf(binding.gpuEvidenceHash ?? noGpuEvidence, 'GPU evidence hash')
  if (hpke.length !== 32) throw new MalformedReportDataError('the HPKE public key must be 32 bytes')
  if (gpu.length !== 32)
    throw new MalformedReportDataError('the GPU evidence hash must be 32 bytes')
  return sha256(
    concatBytes([
      toBytes(reportDataDomain),
      numberToBytes(BigInt(binding.chainId), { size: 32 }),
      hexToBytes(binding.registry),
      hexToBytes(binding.provider),
      hexToBytes(binding.signer),
      hpke,
      gpu,
    ]),
  )
}

export type DecodedReportData = { bindingDigest: Hex; freshness: Hex }

export function decodeReportData(reportData: Hex): DecodedReportData {
  if (bytesOf(reportData, 'report_data').length !== 64)
    throw new MalformedReportDataError('report_data must be 64 bytes')
  return {
    bindingDigest: reportData.slice(0, 66).toLowerCase() as Hex,
    freshness: `0x${reportData.slice(66).toLowerCase()}` as Hex,
  }
}

/**
 * The SPDM nonce an enclave asks its GPU for: derived from the CPU side, so GPU evidence with
 * this nonce was made for these enclave keys after the freshness block.
 */
export function gpuNonceOf(keys: { signer: Address; hpkePublicKey: Hex; freshness: Hex }): Hex {
  return sha256(
    concatBytes([
      toBytes(gpuNonceDomain),
      hexToBytes(keys.signer),
      bytesOf(keys.hpkePublicKey, 'HPKE public key'),
      bytesOf(keys.freshness, 'freshness value'),
    ]),
  )
}

function bytesOf(value: Hex, name: string): Uint8Array {
  try {
    return hexToBytes(value)
  } catch {
    throw new MalformedReportDataError(`the ${name} is not hex`)
  }
}
