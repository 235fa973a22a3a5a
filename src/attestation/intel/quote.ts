import { ByteReader } from '../byteReader.ts'
import { EvidenceFormatError } from '../errors.ts'

/** The 384-byte SGX enclave report (also the QE report inside every quote). */
export type SgxEnclaveReport = {
  cpuSvn: Uint8Array
  miscSelect: number
  attributes: Uint8Array
  mrEnclave: Uint8Array
  mrSigner: Uint8Array
  isvProdId: number
  isvSvn: number
  reportData: Uint8Array
}

/** A TD report body: TD 1.0 (584 bytes) or TD 1.5 (648 bytes, with `teeTcbSvn2` and `mrServiceTd`). */
export type TdReport = {
  teeTcbSvn: Uint8Array
  mrSeam: Uint8Array
  mrSignerSeam: Uint8Array
  seamAttributes: Uint8Array
  tdAttributes: Uint8Array
  xfam: Uint8Array
  mrTd: Uint8Array
  mrConfigId: Uint8Array
  mrOwner: Uint8Array
  mrOwnerConfig: Uint8Array
  rtmrs: [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  reportData: Uint8Array
  teeTcbSvn2?: Uint8Array
  mrServiceTd?: Uint8Array
}

export type IntelQuoteBody =
  | { kind: 'sgx'; report: SgxEnclaveReport }
  | { kind: 'td10'; report: TdReport }
  | { kind: 'td15'; report: TdReport }

/** A parsed Intel DCAP quote (v3 SGX, v4 SGX/TDX, v5 with SGX, TD 1.0 or TD 1.5 body), ECDSA P-256. */
export type IntelQuote = {
  version: 3 | 4 | 5
  tee: 'sgx' | 'tdx'
  qeSvn: number
  pceSvn: number
  qeVendorId: Uint8Array
  body: IntelQuoteBody
  /** Header and body: the bytes the attestation key signs. */
  signedBytes: Uint8Array
  /** ECDSA P-256 signature (r ‖ s) over `signedBytes`. */
  signature: Uint8Array
  /** The attestation public key, x ‖ y. */
  attestationKey: Uint8Array
  qeReportBytes: Uint8Array
  qeReport: SgxEnclaveReport
  /** ECDSA P-256 signature (r ‖ s) by the PCK key over `qeReportBytes`. */
  qeReportSignature: Uint8Array
  qeAuthData: Uint8Array
  /** The PEM PCK certificate chain (leaf, intermediate, root) carried in the quote. */
  pckCertificateChainPem: Uint8Array
  /** Bytes the quote occupies; anything after it in the input is padding. */
  length: number
}

export const intelQuoteConstants = {
  headerLength: 48,
  teeTypeSgx: 0x00,
  teeTypeTdx: 0x81,
  attestationKeyTypeEcdsaP256: 2,
  certificationDataPckChain: 5,
  certificationDataQeReport: 6,
  enclaveReportLength: 384,
  td10ReportLength: 584,
  td15ReportLength: 648,
  intelQeVendorId: '939a7233f79c4ca9940a0db3957f0607',
} as const

/** Whether `bytes` start like an Intel DCAP quote header (version 3–5, ECDSA key, SGX or TDX). */
export function looksLikeIntelQuote(bytes: Uint8Array): boolean {
  if (bytes.length < intelQuoteConstants.headerLength) return false
  const version = (bytes[0] as number) | ((bytes[1] as number) << 8)
  const keyType = (bytes[2] as number) | ((bytes[3] as number) << 8)
  const teeType = (bytes[4] as number) | ((bytes[5] as number) << 8)
  const teeTypeHigh = (bytes[6] as number) | ((bytes[7] as number) << 8)
  // An SEV-SNP report starts with a 32-bit version, so its bytes 2–3 (the key type here) are zero.
  return (
    version >= 3 &&
    version <= 5 &&
    (keyType === 2 || keyType === 3) &&
    teeTypeHigh === 0 &&
    (teeType === 0 || teeType === 0x81)
  )
}

export function parseIntelQuote(bytes: Uint8Array): IntelQuote {
  const reader = new ByteReader(bytes, 'Intel quote')
  const version = reader.u16('header version')
  if (version !== 3 && version !== 4 && version !== 5)
    throw new EvidenceFormatError(
      `Intel quote version ${version} is not supported (3, 4 or 5 are).`,
    )
  const attestationKeyType = reader.u16('attestation key type')
  if (attestationKeyType !== intelQuoteConstants.attestationKeyTypeEcdsaP256)
    throw new EvidenceFormatError(
      `Intel quote attestation key type ${attestationKeyType} is not supported (2, ECDSA P-256, is).`,
    )
  const teeType = reader.u32('TEE type')
  if (teeType !== intelQuoteConstants.teeTypeSgx && teeType !== intelQuoteConstants.teeTypeTdx)
    throw new EvidenceFormatError(
      `Intel quote TEE type 0x${teeType.toString(16)} is neither SGX nor TDX.`,
    )
  const tee = teeType === intelQuoteConstants.teeTypeTdx ? 'tdx' : 'sgx'
  if (version === 3 && tee === 'tdx')
    throw new EvidenceFormatError('Intel quote v3 cannot carry a TD report.')
  const qeSvn = reader.u16('QE SVN')
  const pceSvn = reader.u16('PCE SVN')
  const qeVendorId = reader.take(16, 'QE vendor ID')
  reader.take(20, 'user data')

  const body = readBody(reader, version, tee)
  const signedBytes = bytes.subarray(0, reader.offset)
  const signatureDataLength = reader.u32('signature data length')
  const signatureData = new ByteReader(
    reader.take(signatureDataLength, 'signature data'),
    'Intel quote signature data',
  )
  const signature = signatureData.take(64, 'quote signature')
  const attestationKey = signatureData.take(64, 'attestation key')

  let certification = signatureData
  if (version !== 3) {
    const type = signatureData.u16('certification data type')
    if (type !== intelQuoteConstants.certificationDataQeReport)
      throw new EvidenceFormatError(
        `Intel quote certification data type ${type} is not 6 (QE report).`,
      )
    const size = signatureData.u32('certification data size')
    certification = new ByteReader(
      signatureData.take(size, 'certification data'),
      'Intel quote certification data',
    )
  }
  const qeReportBytes = certification.take(intelQuoteConstants.enclaveReportLength, 'QE report')
  const qeReportSignature = certification.take(64, 'QE report signature')
  const qeAuthDataLength = certification.u16('QE authentication data length')
  const qeAuthData = certification.take(qeAuthDataLength, 'QE authentication data')
  const pckType = certification.u16('PCK certification data type')
  if (pckType !== intelQuoteConstants.certificationDataPckChain)
    throw new EvidenceFormatError(
      `Intel quote carries certification data type ${pckType}; only type 5 (the PCK certificate chain) can be verified offline.`,
    )
  const pckSize = certification.u32('PCK certification data size')
  const pckCertificateChainPem = certification.take(pckSize, 'PCK certificate chain')

  return {
    version,
    tee,
    qeSvn,
    pceSvn,
    qeVendorId,
    body,
    signedBytes,
    signature,
    attestationKey,
    qeReportBytes,
    qeReport: parseSgxEnclaveReport(qeReportBytes),
    qeReportSignature,
    qeAuthData,
    pckCertificateChainPem,
    length: reader.offset,
  }
}

function readBody(reader: ByteReader, version: 3 | 4 | 5, tee: 'sgx' | 'tdx'): IntelQuoteBody {
  if (version !== 5) {
    if (tee === 'sgx')
      return {
        kind: 'sgx',
        report: parseSgxEnclaveReport(
          reader.take(intelQuoteConstants.enclaveReportLength, 'enclave report'),
        ),
      }
    return {
      kind: 'td10',
      report: parseTdReport(reader.take(intelQuoteConstants.td10ReportLength, 'TD report')),
    }
  }
  const bodyType = reader.u16('body type')
  const bodySize = reader.u32('body size')
  const expected = [
    0,
    intelQuoteConstants.enclaveReportLength,
    intelQuoteConstants.td10ReportLength,
    intelQuoteConstants.td15ReportLength,
  ][bodyType]
  if (expected === undefined || bodyType === 0)
    throw new EvidenceFormatError(
      `Intel quote v5 body type ${bodyType} is unknown (1 SGX, 2 TD 1.0, 3 TD 1.5).`,
    )
  if (bodySize !== expected)
    throw new EvidenceFormatError(
      `Intel quote v5 body type ${bodyType} must be ${expected} bytes, not ${bodySize}.`,
    )
  if ((bodyType === 1) !== (tee === 'sgx'))
    throw new EvidenceFormatError(
      `Intel quote v5 body type ${bodyType} does not match its TEE type (${tee}).`,
    )
  const bodyBytes = reader.take(bodySize, 'body')
  if (bodyType === 1) return { kind: 'sgx', report: parseSgxEnclaveReport(bodyBytes) }
  return { kind: bodyType === 2 ? 'td10' : 'td15', report: parseTdReport(bodyBytes) }
}

export function parseSgxEnclaveReport(bytes: Uint8Array): SgxEnclaveReport {
  const reader = new ByteReader(bytes, 'SGX enclave report')
  const cpuSvn = reader.take(16, 'CPUSVN')
  const miscSelect = reader.u32('MISCSELECT')
  reader.take(28, 'reserved')
  const attributes = reader.take(16, 'ATTRIBUTES')
  const mrEnclave = reader.take(32, 'MRENCLAVE')
  reader.take(32, 'reserved')
  const mrSigner = reader.take(32, 'MRSIGNER')
  reader.take(96, 'reserved')
  const isvProdId = reader.u16('ISVPRODID')
  const isvSvn = reader.u16('ISVSVN')
  reader.take(60, 'reserved')
  const reportData = reader.take(64, 'REPORTDATA')
  return { cpuSvn, miscSelect, attributes, mrEnclave, mrSigner, isvProdId, isvSvn, reportData }
}

export function parseTdReport(bytes: Uint8Array): TdReport {
  const reader = new ByteReader(bytes, 'TD report')
  const report: TdReport = {
    teeTcbSvn: reader.take(16, 'TEE_TCB_SVN'),
    mrSeam: reader.take(48, 'MRSEAM'),
    mrSignerSeam: reader.take(48, 'MRSIGNERSEAM'),
    seamAttributes: reader.take(8, 'SEAMATTRIBUTES'),
    tdAttributes: reader.take(8, 'TDATTRIBUTES'),
    xfam: reader.take(8, 'XFAM'),
    mrTd: reader.take(48, 'MRTD'),
    mrConfigId: reader.take(48, 'MRCONFIGID'),
    mrOwner: reader.take(48, 'MROWNER'),
    mrOwnerConfig: reader.take(48, 'MROWNERCONFIG'),
    rtmrs: [
      reader.take(48, 'RTMR0'),
      reader.take(48, 'RTMR1'),
      reader.take(48, 'RTMR2'),
      reader.take(48, 'RTMR3'),
    ],
    reportData: reader.take(64, 'REPORTDATA'),
  }
  if (reader.remaining >= 64) {
    report.teeTcbSvn2 = reader.take(16, 'TEE_TCB_SVN2')
    report.mrServiceTd = reader.take(48, 'MRSERVICETD')
  }
  return report
}

/** Whether the enclave or TD was launched in debug mode (SGX ATTRIBUTES.DEBUG, TDATTRIBUTES.DEBUG). */
export function isDebugQuote(quote: IntelQuote): boolean {
  if (quote.body.kind === 'sgx') return ((quote.body.report.attributes[0] as number) & 0x02) !== 0
  return ((quote.body.report.tdAttributes[0] as number) & 0x01) !== 0
}
