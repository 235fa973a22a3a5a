import { ByteReader } from '../byteReader.ts'
import { EvidenceFormatError } from '../errors.ts'

/** A TCB_VERSION as its security patch levels (field layout depends on the product line). */
export type SnpTcb = {
  bootloader: number
  tee: number
  snp: number
  microcode: number
  fmc?: number
}

/** An AMD SEV-SNP attestation report (ABI versions 2 and 3, 1184 bytes). */
export type SevSnpReport = {
  version: number
  guestSvn: number
  policy: bigint
  familyId: Uint8Array
  imageId: Uint8Array
  vmpl: number
  signatureAlgorithm: number
  currentTcbRaw: Uint8Array
  platformInfo: bigint
  /** 0: VCEK, 1: VLEK, 7: none. */
  signingKey: number
  maskChipKey: boolean
  reportData: Uint8Array
  measurement: Uint8Array
  hostData: Uint8Array
  idKeyDigest: Uint8Array
  authorKeyDigest: Uint8Array
  reportId: Uint8Array
  reportedTcbRaw: Uint8Array
  /** v3: the CPUID family, model and stepping of the signing chip. */
  cpuid?: { family: number; model: number; stepping: number }
  chipId: Uint8Array
  committedTcbRaw: Uint8Array
  launchTcbRaw: Uint8Array
  /** Bytes 0x000–0x29F, which the signature covers. */
  signedBytes: Uint8Array
  /** ECDSA P-384 signature as r ‖ s, big-endian, 48 bytes each. */
  signature: Uint8Array
}

export const sevSnpReportLength = 0x4a0

/** Whether `bytes` start like an SEV-SNP report: version 2 or 3, signature algorithm 1 (ECDSA P-384). */
export function looksLikeSevSnpReport(bytes: Uint8Array): boolean {
  if (bytes.length < sevSnpReportLength) return false
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true)
  const algorithm = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    0x34,
    true,
  )
  return (version === 2 || version === 3 || version === 5) && algorithm === 1
}

export function parseSevSnpReport(bytes: Uint8Array): SevSnpReport {
  const reader = new ByteReader(bytes, 'SEV-SNP report')
  const version = reader.u32('version')
  if (version < 2 || version > 5)
    throw new EvidenceFormatError(
      `SEV-SNP report version ${version} is not supported (2 to 5 are).`,
    )
  const guestSvn = reader.u32('GUEST_SVN')
  const policy = reader.u64('POLICY')
  const familyId = reader.take(16, 'FAMILY_ID')
  const imageId = reader.take(16, 'IMAGE_ID')
  const vmpl = reader.u32('VMPL')
  const signatureAlgorithm = reader.u32('SIGNATURE_ALGO')
  if (signatureAlgorithm !== 1)
    throw new EvidenceFormatError(
      `SEV-SNP signature algorithm ${signatureAlgorithm} is not supported (1, ECDSA P-384 with SHA-384, is).`,
    )
  const currentTcbRaw = reader.take(8, 'CURRENT_TCB')
  const platformInfo = reader.u64('PLATFORM_INFO')
  const keyInfo = reader.u32('key information')
  reader.take(4, 'reserved')
  const reportData = reader.take(64, 'REPORT_DATA')
  const measurement = reader.take(48, 'MEASUREMENT')
  const hostData = reader.take(32, 'HOST_DATA')
  const idKeyDigest = reader.take(48, 'ID_KEY_DIGEST')
  const authorKeyDigest = reader.take(48, 'AUTHOR_KEY_DIGEST')
  const reportId = reader.take(32, 'REPORT_ID')
  reader.take(32, 'REPORT_ID_MA')
  const reportedTcbRaw = reader.take(8, 'REPORTED_TCB')
  const cpuidBytes = reader.take(3, 'CPUID')
  reader.take(0x1a0 - 0x18b, 'reserved')
  const chipId = reader.take(64, 'CHIP_ID')
  const committedTcbRaw = reader.take(8, 'COMMITTED_TCB')
  reader.take(8, 'build numbers')
  const launchTcbRaw = reader.take(8, 'LAUNCH_TCB')
  reader.take(0x2a0 - 0x1f8, 'reserved')
  const signedBytes = bytes.subarray(0, 0x2a0)
  const r = reader.take(72, 'signature R')
  const s = reader.take(72, 'signature S')
  reader.take(sevSnpReportLength - 0x2a0 - 144, 'signature reserved')
  if (!isZero(r.subarray(48)) || !isZero(s.subarray(48)))
    throw new EvidenceFormatError('SEV-SNP report signature components exceed 48 bytes.')
  const signature = new Uint8Array(96)
  signature.set(Uint8Array.from(r.subarray(0, 48)).reverse(), 0)
  signature.set(Uint8Array.from(s.subarray(0, 48)).reverse(), 48)
  return {
    version,
    guestSvn,
    policy,
    familyId,
    imageId,
    vmpl,
    signatureAlgorithm,
    currentTcbRaw,
    platformInfo,
    signingKey: (keyInfo >> 2) & 0x7,
    maskChipKey: (keyInfo & 0x2) !== 0,
    reportData,
    measurement,
    hostData,
    idKeyDigest,
    authorKeyDigest,
    reportId,
    reportedTcbRaw,
    ...(version >= 3
      ? {
          cpuid: {
            family: cpuidBytes[0] as number,
            model: cpuidBytes[1] as number,
            stepping: cpuidBytes[2] as number,
          },
        }
      : {}),
    chipId,
    committedTcbRaw,
    launchTcbRaw,
    signedBytes,
    signature,
  }
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0)
}

/** The TCB_VERSION fields: Turin puts an FMC SPL first; Milan and Genoa do not. */
export function decodeSnpTcb(raw: Uint8Array, productLine: 'Milan' | 'Genoa' | 'Turin'): SnpTcb {
  if (productLine === 'Turin')
    return {
      fmc: raw[0] as number,
      bootloader: raw[1] as number,
      tee: raw[2] as number,
      snp: raw[3] as number,
      microcode: raw[7] as number,
    }
  return {
    bootloader: raw[0] as number,
    tee: raw[1] as number,
    snp: raw[6] as number,
    microcode: raw[7] as number,
  }
}

/** POLICY bit 19: the guest may be debugged by the hypervisor. */
export function isDebugAllowed(report: SevSnpReport): boolean {
  return (report.policy & (1n << 19n)) !== 0n
}
