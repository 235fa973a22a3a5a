import { type Hex, zeroHash } from 'viem'
import { inputLimits } from '../attestation/limits.ts'
import { BoccError } from '../errors.ts'
import { decodeCollateralBundle, gpuCollateralOf } from './collateralBundle.ts'
import type { EnclaveGpuEvidence } from './verifyEnclaveEvidence.ts'

const noGpuEvidence = zeroHash

/** The most bytes of collateral bundle read (the bundle's own decoding limit). */
const maxCollateralBundleBytes = 16 << 20

export class GpuEvidenceUnavailableError extends BoccError {
  override name = 'GpuEvidenceUnavailableError'
}

/** The reads this needs from a blob store (every read checked against its address). */
export type GpuEvidenceBlobs = {
  get(hash: Hex): Promise<Uint8Array>
  size(hash: Hex): Promise<number>
}

/**
 * The GPU evidence an enclave record (or a registration) names, with the GPU's certificate chain,
 * RIMs and OCSP responses from the collateral bundle it names (docs/protocol.md, "GPU evidence"),
 * each bounded before it is read; undefined when the record names no GPU evidence.
 */
export async function readEnclaveGpuEvidence(
  blobs: GpuEvidenceBlobs,
  record: { gpuEvidenceHash: Hex; collateralHash: Hex },
): Promise<EnclaveGpuEvidence | undefined> {
  if (record.gpuEvidenceHash.toLowerCase() === noGpuEvidence) return undefined
  const read = async (hash: Hex, what: string, maxBytes: number) => {
    let size: number
    try {
      size = await blobs.size(hash)
    } catch (error) {
      throw new GpuEvidenceUnavailableError(
        `the ${what} ${hash.slice(0, 18)}… is not in the blob store`,
        {
          cause: error,
        },
      )
    }
    if (size > maxBytes)
      throw new GpuEvidenceUnavailableError(
        `the ${what} is ${size} bytes, at most ${maxBytes} are read`,
      )
    return blobs.get(hash)
  }
  const evidence = await read(record.gpuEvidenceHash, 'GPU evidence', inputLimits.evidenceBytes)
  if (record.collateralHash.toLowerCase() === noGpuEvidence) return { evidence, certs: [] }
  const bundle = decodeCollateralBundle(
    await read(record.collateralHash, 'collateral bundle', maxCollateralBundleBytes),
  )
  return { evidence, certs: gpuCollateralOf(bundle) }
}
